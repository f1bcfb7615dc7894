import { LightningElement, api } from 'lwc';

/** Stand-in for lightning-card: the SLDS card markup with its title, icon and slots. */
export default class Card extends LightningElement {
  @api title;
  @api iconName;
  @api variant;
}
