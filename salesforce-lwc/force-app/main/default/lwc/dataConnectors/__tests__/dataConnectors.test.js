import { createElement } from 'lwc';
import DataConnectors from 'c/dataConnectors';
import listConnectors from '@salesforce/apex/DataConnectorsController.listConnectors';
import listMacros from '@salesforce/apex/DataConnectorsController.listMacros';
import runConnector from '@salesforce/apex/DataConnectorsController.runConnector';
import runMacro from '@salesforce/apex/DataConnectorsController.runMacro';
import { refreshApex } from '@salesforce/apex';
import { notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';
import ANSWERS from './serverAnswers.json';

jest.mock(
  '@salesforce/apex/DataConnectorsController.listConnectors',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock(
  '@salesforce/apex/DataConnectorsController.listMacros',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock(
  '@salesforce/apex/DataConnectorsController.runConnector',
  () => ({ default: jest.fn() }),
  { virtual: true },
);
jest.mock('@salesforce/apex/DataConnectorsController.runMacro', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), {
  virtual: true,
});

// The server's answers as Apex hands them on. They live in serverAnswers.json, which the repo's
// contract test (test/contracts/lwc-fixtures.test.ts) reads with the Salesforce endpoints'
// answer schemas: an answer here that the server could not send fails there.
const {
  connectorList: CONNECTOR_LIST,
  macroList: MACRO_LIST,
  connectors: CONNECTORS,
  runResults: RUN_RESULTS,
  macros: MACROS,
  macroResults: MACRO_RESULTS,
} = ANSWERS;
const RECORD_ID = CONNECTOR_LIST.recordId;
const SHOW_TOAST = 'lightning__showtoast';
const ORDER_LOOKUP = CONNECTORS.orderLookup;
const REFUND = CONNECTORS.refund;
const PAUSED_REFUND = CONNECTORS.pausedRefund;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function mount(props = {}) {
  const element = createElement('c-data-connectors', { is: DataConnectors });
  Object.assign(element, { recordId: RECORD_ID, objectApiName: 'Case', ...props });
  document.body.appendChild(element);
  return element;
}

// Imperative Apex resolves through a few promise hops before the template re-renders.
function flushPromises() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function mountWithConnectors(connectors, props) {
  const element = mount(props);
  listConnectors.emit({ ...CONNECTOR_LIST, connectors });
  await flushPromises();
  return element;
}

function query(element, dataId) {
  return element.shadowRoot.querySelector(`[data-id="${dataId}"]`);
}

function queryAll(element, dataId) {
  return [...element.shadowRoot.querySelectorAll(`[data-id="${dataId}"]`)];
}

async function openConnector(element, connectorId) {
  const button = element.shadowRoot.querySelector(`[data-connector-id="${connectorId}"]`);
  button.click();
  await flushPromises();
}

function collectToasts(element) {
  const toasts = [];
  element.addEventListener(SHOW_TOAST, (event) => toasts.push(event.detail));
  return toasts;
}

describe('c-data-connectors', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  describe('the connector list', () => {
    it('asks for the connectors of this record and lists them', async () => {
      const element = await mountWithConnectors([ORDER_LOOKUP, REFUND]);

      expect(listConnectors.getLastConfig()).toEqual({
        objectApiName: 'Case',
        recordId: RECORD_ID,
      });
      const names = queryAll(element, 'connector-name').map((el) => el.textContent);
      expect(names).toEqual(['Look up order', 'Refund order']);
    });

    it('lists a connector an alert paused, says the admin paused it, and does not run it', async () => {
      const element = await mountWithConnectors([ORDER_LOOKUP, PAUSED_REFUND]);

      const names = queryAll(element, 'connector-name').map((el) => el.textContent);
      expect(names).toEqual(['Look up order', 'Refund order (paused)']);
      expect(element.shadowRoot.textContent).toContain(
        '"Refund order (paused)" is paused by the admin.',
      );
      await openConnector(element, PAUSED_REFUND.id);
      expect(query(element, 'unavailable').textContent).toContain('paused by the admin');
      expect(query(element, 'run').disabled).toBe(true);
    });

    it('uses the card title set in App Builder', async () => {
      const element = await mountWithConnectors([], { cardTitle: 'Order tools' });

      expect(element.shadowRoot.querySelector('lightning-card').title).toBe('Order tools');
    });

    it('says so when no connector applies to the record', async () => {
      const element = await mountWithConnectors([]);

      expect(query(element, 'empty-list').textContent).toContain('No connectors apply');
    });

    it('shows only the connectors named in the App Builder filter', async () => {
      const element = await mountWithConnectors([ORDER_LOOKUP, REFUND], {
        connectorFilter: ' refund_order , unknown_id',
      });

      const names = queryAll(element, 'connector-name').map((el) => el.textContent);
      expect(names).toEqual(['Refund order']);
    });

    it('narrows the list as the rep types in the search box', async () => {
      const element = await mountWithConnectors([ORDER_LOOKUP, REFUND]);

      const search = query(element, 'search');
      search.dispatchEvent(new CustomEvent('change', { detail: { value: 'REFUND' } }));
      await flushPromises();

      const names = queryAll(element, 'connector-name').map((el) => el.textContent);
      expect(names).toEqual(['Refund order']);
    });

    it('shows a readable message when the list cannot be loaded', async () => {
      const element = mount();
      listConnectors.error({ message: 'The Data Connectors server is unavailable.' }, 503);
      await flushPromises();

      expect(query(element, 'list-error').textContent).toBe(
        'The Data Connectors server is unavailable.',
      );
    });

    it('reloads the list when the rep clicks refresh', async () => {
      const element = await mountWithConnectors([ORDER_LOOKUP]);

      query(element, 'refresh').click();
      await flushPromises();

      // Both lists: the connectors and the macros.
      expect(refreshApex).toHaveBeenCalledTimes(2);
    });
  });

  describe('running a connector', () => {
    it('prefills the inputs from the values the server read from the record', async () => {
      const element = await mountWithConnectors([ORDER_LOOKUP]);
      await openConnector(element, 'order_lookup');

      const inputs = element.shadowRoot.querySelectorAll('lightning-input[data-name]');
      expect([...inputs].map((input) => [input.dataset.name, input.value, input.readOnly])).toEqual(
        [
          ['order_number', '#1001', false],
          ['email', 'ana@example.com', true],
        ],
      );
    });

    it('sends the edited inputs and shows the outputs of the run', async () => {
      runConnector.mockResolvedValue(RUN_RESULTS.written);
      const element = await mountWithConnectors([ORDER_LOOKUP]);
      const toasts = collectToasts(element);
      await openConnector(element, 'order_lookup');

      const input = element.shadowRoot.querySelector('lightning-input[data-name="order_number"]');
      input.value = '#2002';
      input.dispatchEvent(new CustomEvent('change', { detail: { value: '#2002' } }));
      query(element, 'run').click();
      await flushPromises();

      expect(runConnector).toHaveBeenCalledWith({
        connectorId: 'order_lookup',
        objectApiName: 'Case',
        recordId: RECORD_ID,
        inputsJson: JSON.stringify({ order_number: '#2002' }),
        confirmed: false,
        idempotencyKey: expect.stringMatching(UUID),
      });
      expect(query(element, 'result-message').textContent).toBe('Order #1001 is shipped.');
      const outputs = queryAll(element, 'output').map((row) => [
        row.querySelector('dt').textContent.trim(),
        row.querySelector('[data-id="output-value"]').textContent,
        row.querySelector('lightning-icon') !== null,
      ]);
      expect(outputs).toEqual([
        ['Status', 'shipped', false],
        ['Card', '••••', true],
      ]);
      expect(toasts).toEqual([
        { title: 'Look up order', message: 'Order #1001 is shipped.', variant: 'success' },
      ]);
    });

    it('sends nothing that decides what the rep may do: Apex reads that from the org', async () => {
      runConnector.mockResolvedValue(RUN_RESULTS.nothingWritten);
      // The page's filter only narrows the display; what may run is decided in Apex.
      const element = await mountWithConnectors([ORDER_LOOKUP], {
        connectorFilter: 'order_lookup',
      });
      await openConnector(element, 'order_lookup');

      query(element, 'run').click();
      await flushPromises();

      expect(Object.keys(runConnector.mock.calls[0][0]).sort()).toEqual([
        'confirmed',
        'connectorId',
        'idempotencyKey',
        'inputsJson',
        'objectApiName',
        'recordId',
      ]);
    });

    it('sends the same Idempotency-Key when the rep retries a click that got no answer', async () => {
      runConnector
        .mockRejectedValueOnce({
          body: { message: 'Could not reach the Data Connectors server: Read timed out' },
        })
        .mockResolvedValueOnce(RUN_RESULTS.written)
        .mockResolvedValueOnce(RUN_RESULTS.written);
      const element = await mountWithConnectors([ORDER_LOOKUP]);
      await openConnector(element, 'order_lookup');

      for (let click = 0; click < 3; click += 1) {
        query(element, 'run').click();
        await flushPromises();
      }

      const keys = runConnector.mock.calls.map((call) => call[0].idempotencyKey);
      expect(keys[0]).toMatch(UUID);
      // The retry after the timeout is the same request; the click after the answer is a new run.
      expect(keys[1]).toBe(keys[0]);
      expect(keys[2]).not.toBe(keys[0]);
    });

    it('uses a new key when the rep changed the inputs before clicking again', async () => {
      runConnector.mockRejectedValue({ body: { message: 'Read timed out' } });
      const element = await mountWithConnectors([ORDER_LOOKUP]);
      await openConnector(element, 'order_lookup');
      query(element, 'run').click();
      await flushPromises();

      const input = element.shadowRoot.querySelector('lightning-input[data-name="order_number"]');
      input.value = '#2002';
      input.dispatchEvent(new CustomEvent('change', { detail: { value: '#2002' } }));
      query(element, 'run').click();
      await flushPromises();

      const [first, second] = runConnector.mock.calls.map((call) => call[0].idempotencyKey);
      expect(second).not.toBe(first);
    });

    it('blocks the run and says why when an input is invalid', async () => {
      const element = await mountWithConnectors([ORDER_LOOKUP]);
      await openConnector(element, 'order_lookup');

      const input = element.shadowRoot.querySelector('lightning-input[data-name="order_number"]');
      input.dispatchEvent(new CustomEvent('change', { detail: { value: 'not a number' } }));
      query(element, 'run').click();
      await flushPromises();

      expect(runConnector).not.toHaveBeenCalled();
      expect(query(element, 'form-error').textContent).toContain(
        'Order number: The value does not have the expected format.',
      );
    });

    it('shows a spinner while the connector runs and removes it afterwards', async () => {
      let finish;
      runConnector.mockReturnValue(
        new Promise((resolve) => {
          finish = resolve;
        }),
      );
      const element = await mountWithConnectors([ORDER_LOOKUP]);
      await openConnector(element, 'order_lookup');

      query(element, 'run').click();
      await flushPromises();
      expect(element.shadowRoot.querySelector('lightning-spinner')).not.toBeNull();
      expect(query(element, 'run').disabled).toBe(true);

      finish(RUN_RESULTS.nothingWritten);
      await flushPromises();
      expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
    });

    it('shows an info toast when nothing was found', async () => {
      runConnector.mockResolvedValue(RUN_RESULTS.empty);
      const element = await mountWithConnectors([ORDER_LOOKUP]);
      const toasts = collectToasts(element);
      await openConnector(element, 'order_lookup');

      query(element, 'run').click();
      await flushPromises();

      expect(toasts).toEqual([
        { title: 'Look up order', message: 'No order #1001.', variant: 'info' },
      ]);
    });
  });

  describe('the confirmation step', () => {
    it('asks before running a connector that changes data, and calls Apex only once confirmed', async () => {
      runConnector.mockResolvedValue(RUN_RESULTS.refund);
      const element = await mountWithConnectors([REFUND]);
      await openConnector(element, 'refund_order');

      query(element, 'run').click();
      await flushPromises();

      expect(runConnector).not.toHaveBeenCalled();
      expect(query(element, 'confirm-message').textContent).toContain('POST request');

      query(element, 'confirm-run').click();
      await flushPromises();

      expect(runConnector).toHaveBeenCalledTimes(1);
      expect(runConnector.mock.calls[0][0]).toMatchObject({
        connectorId: 'refund_order',
        confirmed: true,
      });
      expect(query(element, 'confirm-panel')).toBeNull();
    });

    it('checks the inputs again when the rep edits them before confirming', async () => {
      const connector = CONNECTORS.orderLookupConfirmed;
      const element = await mountWithConnectors([connector]);
      await openConnector(element, 'order_lookup');

      query(element, 'run').click();
      await flushPromises();
      const input = element.shadowRoot.querySelector('lightning-input[data-name="order_number"]');
      input.dispatchEvent(new CustomEvent('change', { detail: { value: '' } }));
      query(element, 'confirm-run').click();
      await flushPromises();

      expect(runConnector).not.toHaveBeenCalled();
      expect(query(element, 'form-error').textContent).toContain('Order number: Enter a value.');
    });

    it('does not run when the rep cancels', async () => {
      const element = await mountWithConnectors([REFUND]);
      await openConnector(element, 'refund_order');

      query(element, 'run').click();
      await flushPromises();
      query(element, 'cancel-run').click();
      await flushPromises();

      expect(runConnector).not.toHaveBeenCalled();
      expect(query(element, 'confirm-panel')).toBeNull();
      expect(query(element, 'run')).not.toBeNull();
    });
  });

  describe('errors', () => {
    it('shows an error toast with the message Apex threw', async () => {
      runConnector.mockRejectedValue({
        body: { message: 'Order number: must look like #1001.' },
        ok: false,
        status: 500,
        statusText: 'Server Error',
      });
      const element = await mountWithConnectors([ORDER_LOOKUP]);
      const toasts = collectToasts(element);
      await openConnector(element, 'order_lookup');

      query(element, 'run').click();
      await flushPromises();

      expect(toasts).toEqual([
        {
          title: 'Look up order did not run',
          message: 'Order number: must look like #1001.',
          variant: 'error',
        },
      ]);
      expect(query(element, 'run-error').textContent).toBe('Order number: must look like #1001.');
      expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
      expect(notifyRecordUpdateAvailable).not.toHaveBeenCalled();
    });
  });

  describe('refreshing the record page', () => {
    it('tells the page the record changed after the server wrote to it', async () => {
      runConnector.mockResolvedValue(RUN_RESULTS.written);
      const element = await mountWithConnectors([ORDER_LOOKUP]);
      await openConnector(element, 'order_lookup');

      query(element, 'run').click();
      await flushPromises();

      expect(notifyRecordUpdateAvailable).toHaveBeenCalledWith([{ recordId: RECORD_ID }]);
      expect(query(element, 'write-summary').textContent).toContain(
        'Saved to this record: Shipping Status.',
      );
      // The lists are reloaded too, for the new "last run" and the new prefilled values.
      expect(refreshApex).toHaveBeenCalledTimes(2);
    });

    it('does not refresh the page after a test run that saved nothing', async () => {
      runConnector.mockResolvedValue(RUN_RESULTS.dryRun);
      const element = await mountWithConnectors([ORDER_LOOKUP]);
      await openConnector(element, 'order_lookup');

      query(element, 'run').click();
      await flushPromises();

      expect(notifyRecordUpdateAvailable).not.toHaveBeenCalled();
      expect(query(element, 'write-summary').textContent).toContain('nothing was saved');
    });

    it('does not refresh the page after a failed run, and shows an error toast', async () => {
      runConnector.mockResolvedValue(RUN_RESULTS.failed);
      const element = await mountWithConnectors([ORDER_LOOKUP]);
      const toasts = collectToasts(element);
      await openConnector(element, 'order_lookup');

      query(element, 'run').click();
      await flushPromises();

      expect(notifyRecordUpdateAvailable).not.toHaveBeenCalled();
      expect(toasts).toEqual([
        { title: 'Look up order failed', message: 'The shop answered 500.', variant: 'error' },
      ]);
    });
  });

  describe('macros', () => {
    const ESCALATE = MACROS.escalate;
    const NOTE = MACROS.addSummary;

    async function mountWithMacros(macros) {
      const element = await mountWithConnectors([ORDER_LOOKUP]);
      listMacros.emit({ ...MACRO_LIST, macros });
      await flushPromises();
      return element;
    }

    async function clickRunMacro(element, macroId) {
      element.shadowRoot.querySelector(`[data-id="run-macro"][data-macro-id="${macroId}"]`).click();
      await flushPromises();
    }

    it('lists the macros of this record under the connectors, with what they run', async () => {
      const element = await mountWithMacros([ESCALATE, NOTE]);

      expect(listMacros.getLastConfig()).toEqual({ objectApiName: 'Case', recordId: RECORD_ID });
      expect(queryAll(element, 'macro-name').map((el) => el.textContent)).toEqual([
        'Escalate Case to engineering',
        'Add summary',
      ]);
      expect(queryAll(element, 'macro-connectors')[0].textContent).toContain(
        'Runs: Create Jira issue from Case',
      );
      expect(queryAll(element, 'connector-name').map((el) => el.textContent)).toEqual([
        'Look up order',
      ]);
    });

    it('shows no macro section when none applies, and a readable error when they cannot load', async () => {
      const element = await mountWithMacros([]);
      expect(query(element, 'macros-heading')).toBeNull();

      listMacros.error({ message: 'The Data Connectors server is unavailable.' }, 503);
      await flushPromises();
      expect(query(element, 'macro-list-error').textContent).toBe(
        'The Data Connectors server is unavailable.',
      );
      // The connectors still show.
      expect(queryAll(element, 'connector-name')).toHaveLength(1);
    });

    it('asks before running a macro with side effects, and runs it once confirmed', async () => {
      runMacro.mockResolvedValue(MACRO_RESULTS.escalate);
      const element = await mountWithMacros([ESCALATE]);

      await clickRunMacro(element, 'escalate_case');
      expect(runMacro).not.toHaveBeenCalled();
      expect(query(element, 'macro-confirm-message').textContent).toContain(
        'It runs Create Jira issue from Case.',
      );

      query(element, 'confirm-macro').click();
      await flushPromises();

      expect(runMacro).toHaveBeenCalledTimes(1);
      expect(runMacro).toHaveBeenCalledWith({
        macroId: 'escalate_case',
        objectApiName: 'Case',
        recordId: RECORD_ID,
        confirmed: true,
        idempotencyKey: expect.stringMatching(UUID),
      });
      expect(query(element, 'macro-confirm-panel')).toBeNull();
    });

    it('retries a macro that got no answer with the same key, so its steps cannot run twice', async () => {
      runMacro
        .mockRejectedValueOnce({ body: { message: 'Could not reach the Data Connectors server' } })
        .mockResolvedValueOnce(MACRO_RESULTS.escalate);
      const element = await mountWithMacros([ESCALATE]);
      for (let click = 0; click < 2; click += 1) {
        await clickRunMacro(element, 'escalate_case');
        query(element, 'confirm-macro').click();
        await flushPromises();
      }
      const [first, retry] = runMacro.mock.calls.map((call) => call[0].idempotencyKey);
      expect(first).toMatch(UUID);
      expect(retry).toBe(first);
    });

    it('does not run a macro when the rep cancels the confirmation', async () => {
      const element = await mountWithMacros([ESCALATE]);

      await clickRunMacro(element, 'escalate_case');
      query(element, 'cancel-macro').click();
      await flushPromises();

      expect(runMacro).not.toHaveBeenCalled();
      expect(query(element, 'macro-confirm-panel')).toBeNull();
      expect(query(element, 'run-macro')).not.toBeNull();
    });

    it('runs a macro without side effects at once, with a spinner, then shows each step and a toast', async () => {
      let finish;
      runMacro.mockReturnValue(
        new Promise((resolve) => {
          finish = resolve;
        }),
      );
      const element = await mountWithMacros([NOTE]);
      const toasts = collectToasts(element);

      await clickRunMacro(element, 'add_summary');
      expect(runMacro.mock.calls[0][0]).toMatchObject({ macroId: 'add_summary', confirmed: false });
      const spinner = element.shadowRoot.querySelector('lightning-spinner');
      expect(spinner).not.toBeNull();
      expect(spinner.alternativeText).toBe('Running the macro');
      expect(query(element, 'run-macro').disabled).toBe(true);

      finish(MACRO_RESULTS.addSummary);
      await flushPromises();

      expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
      expect(query(element, 'macro-result-message').textContent).toBe('All steps completed.');
      expect(
        queryAll(element, 'macro-step').map((row) => [
          row.querySelector('[data-id="macro-step-id"]').textContent,
          row.querySelector('[data-id="macro-step-message"]').textContent,
        ]),
      ).toEqual([
        ['create_issue', 'Created SUP-7.'],
        ['write_reference', 'Written.'],
      ]);
      expect(toasts).toEqual([
        { title: 'Add summary', message: 'All steps completed.', variant: 'success' },
      ]);
    });

    it('refreshes the record page and both lists after a macro wrote to the record', async () => {
      runMacro.mockResolvedValue(MACRO_RESULTS.escalate);
      const element = await mountWithMacros([ESCALATE]);

      await clickRunMacro(element, 'escalate_case');
      query(element, 'confirm-macro').click();
      await flushPromises();

      expect(notifyRecordUpdateAvailable).toHaveBeenCalledWith([{ recordId: RECORD_ID }]);
      expect(refreshApex).toHaveBeenCalledTimes(2);
    });

    it('shows a failed macro as an error toast and does not refresh a record it did not change', async () => {
      runMacro.mockResolvedValue(MACRO_RESULTS.failed);
      const element = await mountWithMacros([ESCALATE]);
      const toasts = collectToasts(element);

      await clickRunMacro(element, 'escalate_case');
      query(element, 'confirm-macro').click();
      await flushPromises();

      expect(notifyRecordUpdateAvailable).not.toHaveBeenCalled();
      expect(toasts).toEqual([
        {
          title: 'Escalate Case to engineering failed',
          message: 'No Jira issue was created (UPSTREAM_HTTP_ERROR): Jira answered 503.',
          variant: 'error',
        },
      ]);
    });

    it('shows the reason in a toast when Apex refuses the macro', async () => {
      runMacro.mockRejectedValue({
        body: { message: 'This record does not exist or you do not have access to it.' },
        ok: false,
        status: 500,
        statusText: 'Server Error',
      });
      const element = await mountWithMacros([NOTE]);
      const toasts = collectToasts(element);

      await clickRunMacro(element, 'add_summary');

      expect(toasts).toEqual([
        {
          title: 'Add summary did not run',
          message: 'This record does not exist or you do not have access to it.',
          variant: 'error',
        },
      ]);
      expect(query(element, 'macro-error').textContent).toBe(
        'This record does not exist or you do not have access to it.',
      );
      expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
    });
  });
});
