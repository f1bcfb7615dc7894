import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  ConsoleCheckAnswer,
  ConsoleConnectorSource,
  ConsoleIssue,
} from '../../../shared/src/console/console-contracts';
import { callApi } from '../api';
import { linkTo, navigate } from '../route';
import { Issues } from './issues';
import { TestPanel } from './test-panel';

/** What "New connector" starts from: a draft, so nobody sees it until it is published. */
const NEW_CONNECTOR = {
  id: 'new_connector',
  name: 'New connector',
  draft: true,
  connection: 'shopify_demo',
  surfaces: ['zendesk'],
  inputs: [
    {
      name: 'order_number',
      label: 'Order number',
      source: ['ticket.custom_fields.360001000001'],
      required: true,
    },
  ],
  request: {
    method: 'GET',
    path: '/admin/api/2024-10/orders.json',
    query: { name: '{{inputs.order_number}}' },
  },
  response: {
    root: 'orders[0]',
    outputs: [{ name: 'status', label: 'Status', path: 'financial_status' }],
  },
};
const NEW_CONNECTOR_TEXT = JSON.stringify(NEW_CONNECTOR, null, 2);

/** The editor's text as JSON, or where it stops being JSON (checked here, before the server). */
function parseText(
  text: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; issue: ConsoleIssue } {
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      return {
        ok: false,
        issue: {
          file: 'editor',
          path: '$',
          message: 'A connector is a JSON object.',
          hint: 'start with { and end with }',
        },
      };
    }
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return {
      ok: false,
      issue: {
        file: 'editor',
        path: '$',
        message: error instanceof Error ? error.message : 'Not valid JSON.',
        hint: 'check commas, quotes and brackets near that position',
      },
    };
  }
}

const CHECK_DELAY_MS = 400;

export function ConnectorScreen(props: { id: string | undefined; tab: string }) {
  const creating = props.id === undefined;
  const [source, setSource] = useState<ConsoleConnectorSource>();
  // A new connector's text is there from the first render: text typed before an effect ran
  // would otherwise be replaced, or added to, by the template.
  const [text, setText] = useState(creating ? NEW_CONNECTOR_TEXT : '');
  const [issues, setIssues] = useState<ConsoleIssue[]>([]);
  const [valid, setValid] = useState<boolean | undefined>(undefined);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [saving, setSaving] = useState(false);
  const checkTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const checkSeq = useRef(0);

  const load = async () => {
    if (creating) {
      // Checked like typed text, so the status says what the server thinks of the template.
      void check(NEW_CONNECTOR_TEXT);
      return;
    }
    const answer = await callApi<ConsoleConnectorSource>(
      'GET',
      `/api/admin/console/connectors/${encodeURIComponent(props.id ?? '')}/source`,
    );
    if (!answer.ok) {
      setError(answer.error.message);
      return;
    }
    setSource(answer.value);
    setText(JSON.stringify(answer.value.connector, null, 2));
    setIssues([]);
    setValid(true);
  };
  useEffect(() => {
    setError('');
    setStatus('');
    void load();
  }, [props.id]);

  const check = async (value: string) => {
    const parsed = parseText(value);
    if (!parsed.ok) {
      setIssues([parsed.issue]);
      setValid(false);
      return;
    }
    const seq = ++checkSeq.current;
    const path = creating
      ? '/api/admin/console/connectors/check'
      : `/api/admin/console/connectors/${encodeURIComponent(props.id ?? '')}/check`;
    const answer = await callApi<ConsoleCheckAnswer>('POST', path, { connector: parsed.value });
    // A slower answer to an older text must not overwrite the newer one's.
    if (seq !== checkSeq.current) return;
    if (!answer.ok) {
      setIssues([{ file: 'server', path: '$', message: answer.error.message, hint: '' }]);
      setValid(false);
      return;
    }
    setIssues(answer.value.issues);
    setValid(answer.value.ok);
  };

  const onInput = (value: string) => {
    setText(value);
    setStatus('');
    // An answer already on its way is about older text.
    checkSeq.current += 1;
    // Until the server has checked this text, say so rather than show the last verdict.
    setValid(undefined);
    clearTimeout(checkTimer.current);
    checkTimer.current = setTimeout(() => void check(value), CHECK_DELAY_MS);
  };

  const save = async (overrides: Record<string, unknown> = {}) => {
    const parsed = parseText(text);
    if (!parsed.ok) {
      setIssues([parsed.issue]);
      setValid(false);
      return;
    }
    const connector = { ...parsed.value, ...overrides };
    setSaving(true);
    const answer = creating
      ? await callApi<{ file: string; version: { id: number } }>(
          'POST',
          '/api/admin/console/connectors',
          { connector },
        )
      : await callApi<{ file: string; version: { id: number } }>(
          'PUT',
          `/api/admin/console/connectors/${encodeURIComponent(props.id ?? '')}`,
          { connector, fileHash: source?.fileHash },
        );
    setSaving(false);
    if (!answer.ok) {
      const details = answer.error.details as { issues?: ConsoleIssue[] } | undefined;
      setIssues(details?.issues ?? []);
      setValid(false);
      setStatus(answer.error.message);
      return;
    }
    setStatus(`Saved to ${answer.value.file} as version ${answer.value.version.id}.`);
    const id = typeof connector.id === 'string' ? connector.id : props.id;
    if (creating || id !== props.id) navigate(['connectors', id ?? '']);
    else await load();
  };

  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  const connector = parseText(text);
  const isDraft = connector.ok && connector.value.draft === true;
  const title = creating ? 'New connector' : (props.id ?? '');
  return (
    <section>
      <div class="heading">
        <h1>
          {title} {isDraft && <span class="tag tag-draft">Draft</span>}
        </h1>
        {!creating && (
          <a class="button button-basic" href={linkTo(['logs'], { connectorId: props.id })}>
            Logs
          </a>
        )}
      </div>
      {!creating && (
        <nav class="tabs" aria-label="Connector">
          <a
            href={linkTo(['connectors', props.id ?? ''])}
            aria-current={props.tab === 'edit' ? 'page' : undefined}
          >
            Edit
          </a>
          <a
            href={linkTo(['connectors', props.id ?? '', 'test'])}
            aria-current={props.tab === 'test' ? 'page' : undefined}
          >
            Test
          </a>
        </nav>
      )}
      {props.tab === 'test' && props.id ? (
        <TestPanel connectorId={props.id} />
      ) : (
        <div class="editor">
          <label for="connector-json">
            Connector JSON {source && <span class="muted">in {source.file}</span>}
          </label>
          <textarea
            id="connector-json"
            spellcheck={false}
            value={text}
            // Until an existing connector's source has come, there is nothing to edit yet.
            disabled={!creating && !source}
            onInput={(event) => onInput(event.currentTarget.value)}
            aria-describedby="check-status"
            aria-invalid={valid === false}
          />
          <p id="check-status" class={valid === false ? 'error' : 'muted'} aria-live="polite">
            {valid === undefined
              ? 'Checking…'
              : valid
                ? issues.length
                  ? 'Valid, with warnings.'
                  : 'Valid.'
                : 'Not valid: the issues below say where and how to fix them.'}
          </p>
          <Issues issues={issues} />
          <div class="actions">
            <button
              type="button"
              class="button button-primary"
              disabled={saving}
              onClick={() => void save()}
            >
              {creating ? 'Create draft' : 'Save'}
            </button>
            {isDraft && !creating && (
              <button
                type="button"
                class="button button-basic"
                disabled={saving}
                onClick={() => void save({ draft: false })}
              >
                Publish
              </button>
            )}
          </div>
          {status && (
            <p class="status" role="status">
              {status}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
