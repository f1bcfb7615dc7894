import { LightningElement, api } from 'lwc';

// Salesforce serves its icon sprites only inside the org, so the preview draws the few icons the
// component uses as simple outlines; any other name gets a dot rather than nothing.
const PATHS = {
  'utility:refresh': 'M20 12a8 8 0 1 1-2.34-5.66M20 4v4h-4',
  'utility:back': 'M20 12H5M11 6l-6 6 6 6',
  'utility:lock': 'M6 11h12v9H6zM8.5 11V8a3.5 3.5 0 0 1 7 0v3',
  'utility:success': 'M12 3a9 9 0 1 0 0.01 0M8 12.5l3 3 5-6',
  'utility:info': 'M12 3a9 9 0 1 0 0.01 0M12 11v6M12 7.5v.5',
  'utility:error': 'M12 3a9 9 0 1 0 0.01 0M9 9l6 6M15 9l-6 6',
  'utility:warning': 'M12 3l10 18H2zM12 10v5M12 18v.5',
  'standard:data_integration_hub': 'M5 5h5v5H5zM14 5h5v5h-5zM5 14h5v5H5zM14 14h5v5h-5z',
};
const FALLBACK_PATH = 'M12 9a3 3 0 1 0 0.01 0';

/** Stand-in for lightning-icon: utility icons in the text colour, standard icons on a tile. */
export default class Icon extends LightningElement {
  @api iconName;
  @api alternativeText;
  @api size = 'medium';
  @api variant;

  get path() {
    return PATHS[this.iconName] || FALLBACK_PATH;
  }

  get containerClass() {
    const category = String(this.iconName || '').split(':')[0];
    return `slds-icon_container preview-icon preview-icon_${category}`;
  }

  get svgClass() {
    return `slds-icon slds-icon_${this.size}`;
  }
}
