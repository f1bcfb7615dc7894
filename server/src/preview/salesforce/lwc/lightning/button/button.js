import { LightningElement, api } from 'lwc';

const VARIANT_CLASSES = {
  base: '',
  brand: 'slds-button_brand',
  destructive: 'slds-button_destructive',
  neutral: 'slds-button_neutral',
};

/**
 * Stand-in for lightning-button: a native button, so clicks and the keyboard work as they do in
 * Salesforce; the component's onclick listens on this host element, as it does on the real one.
 */
export default class Button extends LightningElement {
  @api label;
  @api title;
  @api variant = 'neutral';
  @api iconName;
  @api disabled = false;
  @api ariaLabel;

  get buttonClass() {
    const variant = VARIANT_CLASSES[this.variant];
    return `slds-button ${variant === undefined ? VARIANT_CLASSES.neutral : variant}`;
  }

  @api focus() {
    this.template.querySelector('button').focus();
  }
}
