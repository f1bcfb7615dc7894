/**
 * Stand-in for lightning/platformShowToastEvent: the event Salesforce's page listens for
 * (`lightning__showtoast`, bubbling and composed); the preview page shows it as a toast.
 */
export class ShowToastEvent extends CustomEvent {
  constructor(toast) {
    super('lightning__showtoast', {
      bubbles: true,
      composed: true,
      cancelable: true,
      detail: toast,
    });
  }
}
