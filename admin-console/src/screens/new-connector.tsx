import { useEffect, useState } from 'preact/hooks';
import type {
  ConsoleDraftAnswer,
  ConsoleHelpdeskFieldsAnswer,
  ConsoleIssue,
  ConsoleTemplate,
  ConsoleTemplatesAnswer,
} from '../../../shared/src/console/console-contracts';
import { callApi } from '../api';
import { linkTo, navigate } from '../route';
import { Issues } from './issues';

/**
 * "New connector": from a template, a curl command, an OpenAPI operation, or blank. Each way ends
 * in the same review: the connector and its connection as they would be added, checked as the
 * whole config, the secrets still to set, and what to decide; "Create draft" saves both as one
 * edit, hidden from agents until published.
 */
export function NewConnectorScreen(props: { how: string | undefined; templateId?: string }) {
  if (props.how === 'template' && props.templateId) {
    return <TemplateForm templateId={props.templateId} />;
  }
  if (props.how === 'curl' || props.how === 'openapi') return <DraftForm source={props.how} />;
  return <Chooser />;
}

function Chooser() {
  const [answer, setAnswer] = useState<ConsoleTemplatesAnswer>();
  const [error, setError] = useState('');
  const [filter, setFilter] = useState('');
  useEffect(() => {
    void callApi<ConsoleTemplatesAnswer>('GET', '/api/admin/console/templates').then((result) =>
      result.ok ? setAnswer(result.value) : setError(result.error.message),
    );
  }, []);
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = (answer?.templates ?? []).filter((template) => {
    const text = `${template.title} ${template.service} ${template.category} ${template.summary}`;
    return words.every((word) => text.toLowerCase().includes(word));
  });
  return (
    <section>
      <div class="heading">
        <h1>New connector</h1>
      </div>
      <div class="panel">
        <p>Start from what you already have:</p>
        <div class="actions">
          <a class="button button-basic" href={linkTo(['new', 'curl'])}>
            From a curl command
          </a>
          <a class="button button-basic" href={linkTo(['new', 'openapi'])}>
            From an OpenAPI document
          </a>
          <a class="button button-basic" href={linkTo(['new', 'blank'])}>
            Blank
          </a>
        </div>
      </div>
      <h2>From a template</h2>
      <label>
        Search templates
        <input
          id="template-search"
          type="search"
          value={filter}
          onInput={(event) => setFilter(event.currentTarget.value)}
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {answer && answer.issues.length > 0 && <Issues issues={answer.issues} />}
      {!answer && !error && <p class="loading">Loading templates…</p>}
      <table class="table" data-testid="templates">
        <tbody>
          {shown.map((template) => (
            <tr key={template.id} data-template={template.id}>
              <td>
                <a href={linkTo(['new', 'template', template.id])}>{template.title}</a>
                <div class="muted">{template.summary}</div>
              </td>
              <td>{template.service}</td>
              <td class="muted">
                {template.auth.type}
                {template.sideEffects ? ' · changes data' : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A blank's input: a text box, or for a field blank the helpdesk's own fields to pick from. */
function ParameterInput(props: {
  parameter: ConsoleTemplate['parameters'][number];
  value: string;
  onInput: (value: string) => void;
}) {
  const { parameter } = props;
  const [fields, setFields] = useState<ConsoleHelpdeskFieldsAnswer['fields']>();
  const isField = parameter.kind === 'zendeskTicketField' || parameter.kind === 'salesforceField';
  useEffect(() => {
    if (!isField) return;
    const query =
      parameter.kind === 'salesforceField'
        ? `system=salesforce&object=${encodeURIComponent(parameter.salesforceObject ?? 'Case')}`
        : 'system=zendesk';
    void callApi<ConsoleHelpdeskFieldsAnswer>(
      'GET',
      `/api/admin/console/helpdesk-fields?${query}`,
    ).then((result) => {
      // No list (helpdesk not connected): the admin types the id, as in a file.
      if (result.ok) setFields(result.value.fields);
    });
  }, [parameter.name]);
  const id = `blank-${parameter.name}`;
  const offered = (fields ?? []).filter(
    (field) =>
      field.writable &&
      (parameter.fieldTypes === undefined || parameter.fieldTypes.includes(field.type)),
  );
  return (
    <label for={id}>
      {parameter.label}
      {parameter.required && parameter.default === undefined ? ' *' : ''}
      {parameter.description && <span class="hint"> {parameter.description}</span>}
      {isField && fields ? (
        <select id={id} value={props.value} onChange={(e) => props.onInput(e.currentTarget.value)}>
          <option value="">{parameter.required ? 'Choose a field' : 'None'}</option>
          {offered.map((field) => (
            <option value={field.key}>
              {field.label} ({field.key}, {field.type})
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          value={props.value}
          placeholder={parameter.default ?? parameter.example ?? ''}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      )}
    </label>
  );
}

function TextField(props: {
  id: string;
  label: string;
  hint?: string;
  value: string;
  onInput: (value: string) => void;
}) {
  return (
    <label for={props.id}>
      {props.label}
      {props.hint && <span class="hint"> {props.hint}</span>}
      <input
        id={props.id}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </label>
  );
}

function TemplateForm(props: { templateId: string }) {
  const [template, setTemplate] = useState<ConsoleTemplate>();
  const [values, setValues] = useState<Record<string, string>>({});
  const [secretNames, setSecretNames] = useState<Record<string, string>>({});
  const [connectorId, setConnectorId] = useState('');
  const [connectionId, setConnectionId] = useState('');
  const [error, setError] = useState('');
  const drafting = useDraftRequest();
  useEffect(() => {
    void callApi<ConsoleTemplatesAnswer>('GET', '/api/admin/console/templates').then((result) => {
      if (!result.ok) return setError(result.error.message);
      const found = result.value.templates.find((t) => t.id === props.templateId);
      if (!found) return setError(`There is no template "${props.templateId}".`);
      setTemplate(found);
      setConnectorId(found.connectorId);
      setConnectionId(found.connectionId);
    });
  }, [props.templateId]);
  if (!template) {
    return error ? (
      <p class="error" role="alert">
        {error}
      </p>
    ) : (
      <p class="loading">Loading the template…</p>
    );
  }
  const review = () =>
    drafting.request(`/api/admin/console/templates/${encodeURIComponent(template.id)}/draft`, {
      values: Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== '')),
      secretNames: Object.fromEntries(
        Object.entries(secretNames).filter(([from, to]) => to.trim() !== '' && to !== from),
      ),
      connectorId,
      connectionId,
    });
  return (
    <section>
      <div class="heading">
        <h1>{template.title}</h1>
      </div>
      <div class="panel">
        <p>{template.summary}</p>
        <p class="muted">
          Auth: {template.auth.type}. {template.auth.why}
        </p>
        {template.sideEffects && (
          <p class="muted">
            Changes: {template.sideEffects.what} Not twice: {template.sideEffects.guard}
          </p>
        )}
        <p class="muted">
          Sources:{' '}
          {template.docs.map((doc, index) => (
            <>
              {index > 0 && ' · '}
              <a href={doc.url} target="_blank" rel="noreferrer noopener">
                {doc.title}
              </a>
            </>
          ))}
        </p>
      </div>
      <form
        class="panel test-form"
        aria-label="Template settings"
        onSubmit={(event) => {
          event.preventDefault();
          void review();
        }}
      >
        {template.parameters.map((parameter) => (
          <ParameterInput
            parameter={parameter}
            value={values[parameter.name] ?? ''}
            onInput={(value) => setValues({ ...values, [parameter.name]: value })}
          />
        ))}
        {template.secrets.map((secret) => (
          <TextField
            id={`secret-${secret.name}`}
            label={`Secret name for ${secret.label}`}
            hint={secret.howToGet}
            value={secretNames[secret.name] ?? secret.name}
            onInput={(value) => setSecretNames({ ...secretNames, [secret.name]: value })}
          />
        ))}
        <TextField
          id="new-connector-id"
          label="Connector id"
          value={connectorId}
          onInput={setConnectorId}
        />
        <TextField
          id="new-connection-id"
          label="Connection id"
          value={connectionId}
          onInput={setConnectionId}
        />
        <div class="actions wide">
          <button type="submit" class="button button-primary" disabled={drafting.busy}>
            Review draft
          </button>
        </div>
      </form>
      <DraftOutcome {...drafting} />
    </section>
  );
}

function DraftForm(props: { source: 'curl' | 'openapi' }) {
  const [command, setCommand] = useState('');
  const [document, setDocument] = useState('');
  const [operation, setOperation] = useState('');
  const [sample, setSample] = useState('');
  const [id, setId] = useState('');
  const drafting = useDraftRequest();
  const review = () =>
    drafting.request('/api/admin/console/drafts', {
      source: props.source,
      ...(props.source === 'curl' ? { command } : { document, operation }),
      ...(sample.trim() ? { sample } : {}),
      ...(id.trim() ? { id: id.trim() } : {}),
    });
  const readFile = async (file: File | undefined) => {
    if (file) setDocument(await file.text());
  };
  return (
    <section>
      <div class="heading">
        <h1>
          New connector from {props.source === 'curl' ? 'a curl command' : 'an OpenAPI document'}
        </h1>
      </div>
      <form
        class="panel test-form"
        aria-label="Draft source"
        onSubmit={(event) => {
          event.preventDefault();
          void review();
        }}
      >
        {props.source === 'curl' ? (
          <label class="wide" for="draft-curl">
            curl command{' '}
            <span class="hint">
              as copied from the API's docs or a browser's "Copy as cURL"; credentials become secret
              references, never config text
            </span>
            <textarea
              id="draft-curl"
              value={command}
              onInput={(e) => setCommand(e.currentTarget.value)}
              required
            />
          </label>
        ) : (
          <>
            <label for="draft-openapi-file">
              OpenAPI 3 document (JSON or YAML)
              <input
                id="draft-openapi-file"
                type="file"
                accept=".json,.yaml,.yml"
                onChange={(e) => void readFile(e.currentTarget.files?.[0])}
              />
            </label>
            <label for="draft-operation">
              Operation <span class="hint">its operationId, or "GET /path"</span>
              <input
                id="draft-operation"
                value={operation}
                onInput={(e) => setOperation(e.currentTarget.value)}
                required
              />
            </label>
            <label class="wide" for="draft-openapi">
              …or paste the document
              <textarea
                id="draft-openapi"
                value={document}
                onInput={(e) => setDocument(e.currentTarget.value)}
              />
            </label>
          </>
        )}
        <label class="wide" for="draft-sample">
          Sample answer (optional) <span class="hint">JSON; its fields become the outputs</span>
          <textarea
            id="draft-sample"
            value={sample}
            onInput={(e) => setSample(e.currentTarget.value)}
          />
        </label>
        <TextField id="draft-id" label="Connector id (optional)" value={id} onInput={setId} />
        <div class="actions wide">
          <button type="submit" class="button button-primary" disabled={drafting.busy}>
            Review draft
          </button>
        </div>
      </form>
      <DraftOutcome {...drafting} />
    </section>
  );
}

/** Asking the server for a draft to review: the draft, or why there is none. */
function useDraftRequest() {
  const [draft, setDraft] = useState<ConsoleDraftAnswer>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const request = async (path: string, body: unknown) => {
    setBusy(true);
    setError('');
    const answer = await callApi<ConsoleDraftAnswer>('POST', path, body);
    setBusy(false);
    if (answer.ok) setDraft(answer.value);
    else setError(answer.error.message);
  };
  return { draft, error, busy, request };
}

function DraftOutcome(props: { draft: ConsoleDraftAnswer | undefined; error: string }) {
  return (
    <>
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
      {props.draft && <DraftReview draft={props.draft} />}
    </>
  );
}

/** The draft as it would be added, editable, checked again on "Create draft". */
function DraftReview(props: { draft: ConsoleDraftAnswer }) {
  const [connectorText, setConnectorText] = useState(
    JSON.stringify(props.draft.connector, null, 2),
  );
  const [connectionText, setConnectionText] = useState(
    JSON.stringify(props.draft.connection, null, 2),
  );
  const [issues, setIssues] = useState<ConsoleIssue[]>(props.draft.check.issues);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setConnectorText(JSON.stringify(props.draft.connector, null, 2));
    setConnectionText(JSON.stringify(props.draft.connection, null, 2));
    setIssues(props.draft.check.issues);
    setStatus('');
  }, [props.draft]);
  const create = async () => {
    let connector: Record<string, unknown>;
    let connection: Record<string, unknown>;
    try {
      connector = JSON.parse(connectorText) as Record<string, unknown>;
      connection = JSON.parse(connectionText) as Record<string, unknown>;
    } catch (error) {
      setStatus(`Not JSON: ${(error as Error).message}`);
      return;
    }
    setBusy(true);
    const answer = await callApi<{ file: string; version: { id: number } }>(
      'POST',
      '/api/admin/console/connectors',
      { connector, connection: { id: props.draft.connectionId, value: connection } },
    );
    setBusy(false);
    if (!answer.ok) {
      const details = answer.error.details as { issues?: ConsoleIssue[] } | undefined;
      setIssues(details?.issues ?? []);
      setStatus(answer.error.message);
      return;
    }
    navigate(['connectors', String(connector.id ?? '')]);
  };
  const unset = props.draft.secrets.filter((secret) => !secret.set);
  return (
    <div class="panel" data-testid="draft-review">
      <h2>Review</h2>
      <p id="draft-check" class={props.draft.check.ok ? 'muted' : 'error'}>
        {props.draft.check.ok
          ? issues.length
            ? 'The config loads with it; fill in what the warnings below name.'
            : 'The config loads with it as it is.'
          : 'The config would not load with it yet: the issues below say what to fill in.'}
      </p>
      <Issues issues={issues} />
      {props.draft.secrets.length > 0 && (
        <>
          <h2>Secrets</h2>
          <p class="muted">
            Set them in the secrets file or as SECRET_&lt;NAME&gt; on the server; they never go in
            the config.
          </p>
          <ul data-testid="draft-secrets">
            {props.draft.secrets.map((secret) => (
              <li data-secret={secret.name}>
                <code>{secret.name}</code> {secret.label ? `(${secret.label}) ` : ''}
                {secret.set ? (
                  <span class="tag tag-live">set</span>
                ) : (
                  <span class="tag tag-unavailable">not set</span>
                )}
                {secret.howToGet && <div class="hint">{secret.howToGet}</div>}
              </li>
            ))}
          </ul>
          {unset.length > 0 && (
            <p class="muted">The connector can be saved as a draft before its secrets are set.</p>
          )}
        </>
      )}
      {props.draft.notes.length > 0 && (
        <>
          <h2>To decide</h2>
          <ul data-testid="draft-notes">
            {props.draft.notes.map((note) => (
              <li>{note}</li>
            ))}
          </ul>
        </>
      )}
      <div class="split">
        <label for="draft-connector">
          Connector
          <textarea
            id="draft-connector"
            class="code"
            spellcheck={false}
            value={connectorText}
            onInput={(e) => setConnectorText(e.currentTarget.value)}
          />
        </label>
        <label for="draft-connection">
          Connection <code>{props.draft.connectionId}</code>
          <textarea
            id="draft-connection"
            class="code"
            spellcheck={false}
            value={connectionText}
            onInput={(e) => setConnectionText(e.currentTarget.value)}
          />
        </label>
      </div>
      <div class="actions">
        <button
          type="button"
          class="button button-primary"
          disabled={busy}
          onClick={() => void create()}
        >
          Create draft
        </button>
      </div>
      {status && (
        <p class="error" role="alert">
          {status}
        </p>
      )}
    </div>
  );
}
