import { LightningElement, api } from 'lwc';

/**
 * Stand-in for lightning-input: a native input with the SLDS form-element markup. Like the real
 * one it fires `change` with `detail.value` (or `detail.checked`) on every edit, keeps `value` and
 * `checked` readable on the host, and shows a custom validity message on reportValidity().
 */
export default class Input extends LightningElement {
  @api label;
  @api type = 'text';
  @api placeholder;
  @api required = false;
  @api readOnly = false;
  @api maxLength;
  @api step;
  @api fieldLevelHelp;
  @api variant;
  @api name;

  currentValue = '';
  currentChecked = false;
  customMessage = '';
  errorMessage = '';

  @api
  get value() {
    return this.currentValue;
  }
  set value(value) {
    this.currentValue = value === undefined || value === null ? '' : String(value);
  }

  @api
  get checked() {
    return this.currentChecked;
  }
  set checked(value) {
    this.currentChecked = !!value;
  }

  get isCheckbox() {
    return this.type === 'checkbox';
  }

  get labelClass() {
    return this.variant === 'label-hidden'
      ? 'slds-form-element__label slds-assistive-text'
      : 'slds-form-element__label';
  }

  get formElementClass() {
    return this.errorMessage ? 'slds-form-element slds-has-error' : 'slds-form-element';
  }

  get ariaInvalid() {
    return this.errorMessage ? 'true' : 'false';
  }

  get nativeInput() {
    return this.template.querySelector('input');
  }

  handleInput(event) {
    event.stopPropagation();
    this.currentValue = event.target.value;
    this.dispatchEvent(new CustomEvent('change', { detail: { value: this.currentValue } }));
  }

  handleCheckboxChange(event) {
    this.currentChecked = event.target.checked;
    this.dispatchEvent(new CustomEvent('change', { detail: { checked: this.currentChecked } }));
  }

  @api setCustomValidity(message) {
    this.customMessage = message || '';
    if (this.nativeInput) this.nativeInput.setCustomValidity(this.customMessage);
  }

  @api checkValidity() {
    return this.nativeInput ? this.nativeInput.checkValidity() : true;
  }

  @api reportValidity() {
    const valid = this.checkValidity();
    this.errorMessage = valid ? '' : this.customMessage || this.nativeInput.validationMessage;
    return valid;
  }

  @api showHelpMessageIfInvalid() {
    this.reportValidity();
  }

  @api focus() {
    if (this.nativeInput) this.nativeInput.focus();
  }
}
