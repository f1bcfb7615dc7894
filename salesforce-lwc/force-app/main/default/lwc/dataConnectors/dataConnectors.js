import { LightningElement, api, wire } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';
import { refreshApex } from '@salesforce/apex';
import listConnectors from '@salesforce/apex/DataConnectorsController.listConnectors';
import listMacros from '@salesforce/apex/DataConnectorsController.listMacros';
import runConnector from '@salesforce/apex/DataConnectorsController.runConnector';
import runMacro from '@salesforce/apex/DataConnectorsController.runMacro';
import { reduceErrors } from 'c/ldsUtils';
import {
  buildInputFields,
  buildMacroStepRows,
  buildOutputRows,
  buildRunInputs,
  createClickKeys,
  describeConfirmation,
  describeMacroConfirmation,
  describeMacroResult,
  describeRunResult,
  describeWrites,
  filterConnectors,
  macroWroteToRecord,
  parseConnectorFilter,
  readInitialValues,
  validateInputValues,
} from 'c/dataConnectorsUtils';

/**
 * Record-page component: lists the connectors and macros that apply to this record, lets the
 * rep fill in inputs and run a connector, or run a macro (several steps) in one click, shows
 * the results, and refreshes the page when the server wrote to the record. All calls go
 * through `DataConnectorsController` (Apex → Named Credential → server).
 */
export default class DataConnectors extends LightningElement {
  @api recordId;
  @api objectApiName;
  /** App Builder: card title. */
  @api cardTitle = 'Data connectors';
  /**
   * App Builder: comma-separated connector ids to show on this page; empty shows all that apply.
   * Only narrows the display: what a rep may run is the org's setting, which Apex enforces.
   */
  @api connectorFilter;

  connectors = [];
  listError;
  isListLoaded = false;
  searchTerm = '';
  selectedConnectorId;
  values = {};
  problems = [];
  isConfirming = false;
  isLoading = false;
  result;
  runError;

  wiredConnectorsResult;
  clickKeys = createClickKeys();

  macros = [];
  macroListError;
  wiredMacrosResult;
  confirmingMacroId;
  runningMacroId;
  macroResult;
  macroResultName = '';
  macroError;

  @wire(listConnectors, { objectApiName: '$objectApiName', recordId: '$recordId' })
  wiredConnectors(response) {
    this.wiredConnectorsResult = response;
    const { data, error } = response;
    if (data) {
      this.connectors = Array.isArray(data.connectors) ? data.connectors : [];
      this.listError = undefined;
      this.isListLoaded = true;
    } else if (error) {
      this.connectors = [];
      this.listError = reduceErrors(error).join(', ') || 'The connectors could not be loaded.';
      this.isListLoaded = true;
    }
  }

  @wire(listMacros, { objectApiName: '$objectApiName', recordId: '$recordId' })
  wiredMacros(response) {
    this.wiredMacrosResult = response;
    const { data, error } = response;
    if (data) {
      this.macros = Array.isArray(data.macros) ? data.macros : [];
      this.macroListError = undefined;
    } else if (error) {
      this.macros = [];
      this.macroListError = reduceErrors(error).join(', ') || 'The macros could not be loaded.';
    }
  }

  get visibleMacros() {
    return filterConnectors(this.macros, { searchTerm: this.searchTerm }).map((macro) => ({
      ...macro,
      connectorsText: (macro.connectors || []).length
        ? `Runs: ${macro.connectors.map((connector) => connector.name).join(', ')}`
        : '',
      unavailableText: macro.unavailable ? macro.unavailable.message : '',
      isConfirming: macro.id === this.confirmingMacroId,
      showRunButton: macro.id !== this.confirmingMacroId,
      confirmText: macro.id === this.confirmingMacroId ? describeMacroConfirmation(macro) : '',
      isRunDisabled: this.isLoading || !!macro.unavailable,
    }));
  }

  get hasVisibleMacros() {
    return this.visibleMacros.length > 0;
  }

  get spinnerText() {
    return this.runningMacroId ? 'Running the macro' : 'Running the connector';
  }

  get macroStepRows() {
    return buildMacroStepRows(this.macroResult);
  }

  get macroResultMessage() {
    return this.macroResult ? describeMacroResult('', this.macroResult).message : '';
  }

  get macroResultClass() {
    return this.macroResult && this.macroResult.outcome === 'success'
      ? 'slds-text-color_success'
      : 'slds-text-color_error';
  }

  get visibleConnectors() {
    return filterConnectors(this.connectors, {
      allowedIds: parseConnectorFilter(this.connectorFilter),
      searchTerm: this.searchTerm,
    }).map((connector) => ({
      ...connector,
      lastRunText: connector.lastRun
        ? `Last run: ${connector.lastRun.outcome}${connector.lastRun.message ? ` · ${connector.lastRun.message}` : ''}`
        : '',
      unavailableText: connector.unavailable ? connector.unavailable.message : '',
    }));
  }

  get hasVisibleConnectors() {
    return this.visibleConnectors.length > 0;
  }

  get emptyListMessage() {
    return this.searchTerm.trim()
      ? `No connectors match "${this.searchTerm.trim()}".`
      : 'No connectors apply to this record.';
  }

  get isListLoading() {
    return !this.isListLoaded;
  }

  get selectedConnector() {
    return this.connectors.find((connector) => connector.id === this.selectedConnectorId);
  }

  get inputFields() {
    return buildInputFields(this.selectedConnector, this.values);
  }

  get hasInputs() {
    return this.inputFields.length > 0;
  }

  get formError() {
    if (this.problems.length === 0) {
      return '';
    }
    return `Check ${this.problems.map((problem) => `${problem.label}: ${problem.message}`).join(' ')}`;
  }

  get unavailableMessage() {
    const connector = this.selectedConnector;
    return connector && connector.unavailable ? connector.unavailable.message : '';
  }

  get isRunDisabled() {
    return this.isLoading || !!this.unavailableMessage;
  }

  get confirmMessage() {
    return describeConfirmation(this.selectedConnector);
  }

  get outputRows() {
    return buildOutputRows(this.result);
  }

  get hasOutputs() {
    return this.outputRows.length > 0;
  }

  get writeSummary() {
    return describeWrites(this.result);
  }

  get resultMessage() {
    return this.result ? describeRunResult('', this.result).message : '';
  }

  get resultClass() {
    const outcome = this.result && this.result.outcome;
    if (outcome === 'success') {
      return 'slds-text-color_success';
    }
    return outcome === 'empty' ? 'slds-text-color_weak' : 'slds-text-color_error';
  }

  handleSearch(event) {
    this.searchTerm = event.detail.value || '';
  }

  handleRefresh() {
    this.refreshConnectorList();
  }

  async handleRunMacro(event) {
    const macro = this.macros.find((m) => m.id === event.target.dataset.macroId);
    if (!macro || this.isLoading) {
      return;
    }
    this.macroResult = undefined;
    this.macroError = undefined;
    if (macro.confirm) {
      // Macros with a step that changes data elsewhere run only after an explicit second click.
      this.confirmingMacroId = macro.id;
      return;
    }
    await this.runMacroNow(macro, false);
  }

  handleCancelMacro() {
    this.confirmingMacroId = undefined;
  }

  async handleConfirmMacro(event) {
    const macro = this.macros.find((m) => m.id === event.target.dataset.macroId);
    this.confirmingMacroId = undefined;
    if (macro) {
      await this.runMacroNow(macro, true);
    }
  }

  async runMacroNow(macro, confirmed) {
    this.isLoading = true;
    this.runningMacroId = macro.id;
    this.macroResultName = macro.name;
    const request = {
      macroId: macro.id,
      objectApiName: this.objectApiName,
      recordId: this.recordId,
      confirmed,
    };
    try {
      const result = await runMacro({ ...request, idempotencyKey: this.clickKeys.keyFor(request) });
      this.clickKeys.settle(request);
      this.macroResult = result;
      this.dispatchEvent(new ShowToastEvent(describeMacroResult(macro.name, result)));
      if (macroWroteToRecord(result)) {
        await this.refreshRecordPage();
      }
      this.refreshConnectorList();
    } catch (error) {
      this.macroError = reduceErrors(error).join(', ') || 'The macro could not be run.';
      this.dispatchEvent(
        new ShowToastEvent({
          title: `${macro.name} did not run`,
          message: this.macroError,
          variant: 'error',
        }),
      );
    } finally {
      this.isLoading = false;
      this.runningMacroId = undefined;
    }
  }

  handleSelect(event) {
    const connector = this.connectors.find((c) => c.id === event.target.dataset.connectorId);
    if (!connector) {
      return;
    }
    this.selectedConnectorId = connector.id;
    this.values = readInitialValues(connector);
    this.resetRunState();
  }

  handleBack() {
    this.selectedConnectorId = undefined;
    this.resetRunState();
  }

  handleInputChange(event) {
    const name = event.target.dataset.name;
    const value = event.target.type === 'checkbox' ? event.target.checked : event.detail.value;
    this.values = { ...this.values, [name]: value };
    if (this.problems.some((problem) => problem.name === name)) {
      this.problems = this.problems.filter((problem) => problem.name !== name);
      event.target.setCustomValidity('');
      event.target.reportValidity();
    }
  }

  async handleRun() {
    const connector = this.selectedConnector;
    if (!connector || this.isLoading || !this.checkInputs()) {
      return;
    }
    if (connector.confirm) {
      // Connectors that change data elsewhere run only after an explicit second click.
      this.isConfirming = true;
      return;
    }
    await this.runSelectedConnector(false);
  }

  handleCancelConfirm() {
    this.isConfirming = false;
  }

  async handleConfirmRun() {
    this.isConfirming = false;
    // The inputs stay editable while the confirmation is shown.
    if (this.checkInputs()) {
      await this.runSelectedConnector(true);
    }
  }

  async runSelectedConnector(confirmed) {
    const connector = this.selectedConnector;
    this.isLoading = true;
    this.result = undefined;
    this.runError = undefined;
    const request = {
      connectorId: connector.id,
      objectApiName: this.objectApiName,
      recordId: this.recordId,
      inputsJson: JSON.stringify(buildRunInputs(connector.inputs, this.values)),
      confirmed,
    };
    try {
      const result = await runConnector({
        ...request,
        idempotencyKey: this.clickKeys.keyFor(request),
      });
      // Answered: clicking again is a new run. Without an answer the key is kept for a retry.
      this.clickKeys.settle(request);
      this.result = result;
      this.dispatchEvent(new ShowToastEvent(describeRunResult(connector.name, result)));
      if (result && result.writes && result.writes.status === 'written') {
        await this.refreshRecordPage();
      }
      // The list shows each connector's last run and values prefilled from the record.
      this.refreshConnectorList();
    } catch (error) {
      this.runError = reduceErrors(error).join(', ') || 'The connector could not be run.';
      this.dispatchEvent(
        new ShowToastEvent({
          title: `${connector.name} did not run`,
          message: this.runError,
          variant: 'error',
        }),
      );
    } finally {
      this.isLoading = false;
    }
  }

  async refreshRecordPage() {
    try {
      await notifyRecordUpdateAvailable([{ recordId: this.recordId }]);
    } catch (error) {
      // The write already happened and was reported; a stale page is fixed by a reload.
      const message = `Saved, but the page could not refresh: ${reduceErrors(error).join(', ')}`;
      if (this.runningMacroId) {
        this.macroError = message;
      } else {
        this.runError = message;
      }
    }
  }

  refreshConnectorList() {
    // The lists show each connector's last run, values prefilled from the record, and the
    // macros whose conditions the record now meets.
    for (const wired of [this.wiredConnectorsResult, this.wiredMacrosResult]) {
      if (wired) {
        refreshApex(wired).catch(() => {
          // A failed refresh reaches the wire handler as an error, which shows it.
        });
      }
    }
  }

  checkInputs() {
    this.problems = validateInputValues(this.selectedConnector.inputs, this.values);
    this.reportFieldProblems();
    return this.problems.length === 0;
  }

  reportFieldProblems() {
    const byName = new Map(this.problems.map((problem) => [problem.name, problem.message]));
    this.template.querySelectorAll('lightning-input[data-name]').forEach((input) => {
      input.setCustomValidity(byName.get(input.dataset.name) || '');
      input.reportValidity();
    });
  }

  resetRunState() {
    this.problems = [];
    this.isConfirming = false;
    this.result = undefined;
    this.runError = undefined;
  }
}
