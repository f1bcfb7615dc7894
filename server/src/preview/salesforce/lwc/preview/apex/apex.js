/**
 * What `@salesforce/apex` and `@salesforce/apex/<Class>.<method>` give a component, for the
 * preview: each method can be called (a Promise) and wired (a callable adapter), and
 * refreshApex reloads a wired value. Calls go to the preview server, which does what the Apex
 * class does (it adds the connector key, which never reaches the browser).
 */
let apexUrl = '';

/** The preview page's own hook (not a Salesforce API): where Apex calls are sent. */
export function setApexUrl(url) {
  apexUrl = url;
}

/** Rejects as Lightning rejects a failed Apex call: `{ status, statusText, body: { message } }`. */
async function callApex(className, methodName, params) {
  let response;
  try {
    response = await fetch(`${apexUrl}/${className}.${methodName}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(params || {}),
    });
  } catch (error) {
    throw { status: 0, statusText: 'Network error', ok: false, body: { message: String(error) } };
  }
  const body = await response.json().catch(() => null);
  if (response.ok) {
    return body;
  }
  const message =
    body && typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
  throw {
    status: response.status,
    statusText: response.statusText,
    ok: false,
    body: { ...(body || {}), message },
  };
}

// Provisioned wire values → how to load them again (refreshApex takes the value itself).
const refreshers = new WeakMap();

function createWireAdapter(className, methodName) {
  return class ApexWireAdapter {
    constructor(dataCallback) {
      this.dataCallback = dataCallback;
      this.config = undefined;
      this.connected = false;
      this.generation = 0;
    }

    connect() {
      this.connected = true;
    }

    disconnect() {
      this.connected = false;
    }

    update(config) {
      this.config = config;
      this.load();
    }

    load() {
      const generation = ++this.generation;
      return callApex(className, methodName, this.config).then(
        (data) => this.provide(generation, { data, error: undefined }),
        (error) => this.provide(generation, { data: undefined, error }),
      );
    }

    provide(generation, value) {
      // An answer for an older config is dropped, as Lightning drops it.
      if (generation !== this.generation) return;
      refreshers.set(value, () => this.load());
      this.dataCallback(value);
    }
  };
}

/** One Apex method: `method(params)` calls it; `@wire(method, config)` wires it. */
export function createApexMethod(className, methodName) {
  const method = (params) => callApex(className, methodName, params);
  method.adapter = createWireAdapter(className, methodName);
  return method;
}

export function refreshApex(wiredValue) {
  const refresh = refreshers.get(wiredValue);
  return refresh ? refresh() : Promise.resolve();
}
