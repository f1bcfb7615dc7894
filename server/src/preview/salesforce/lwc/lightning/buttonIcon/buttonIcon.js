import { LightningElement, api } from 'lwc';

/** Stand-in for lightning-button-icon: an icon button whose name is its alternative text. */
export default class ButtonIcon extends LightningElement {
  @api iconName;
  @api alternativeText;
  @api title;
  @api disabled = false;
  @api variant;
}
