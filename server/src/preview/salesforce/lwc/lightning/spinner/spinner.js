import { LightningElement, api } from 'lwc';

/** Stand-in for lightning-spinner: a status region over its container, with its text. */
export default class Spinner extends LightningElement {
  @api alternativeText;
  @api size = 'medium';
  @api variant;

  get spinnerClass() {
    return `slds-spinner slds-spinner_${this.size}`;
  }
}
