// The synapse-ws web console: the seed's workflow (publisher, developer portal, try it) and a dashboard,
// calling only the public management REST APIs of this origin. Plain ES module, no build, no network beyond
// this gateway. Everything an API returns is shown with textContent: a name or a message is never markup.
import {barChart, lineChart} from './charts.js';

const PUBLISHER = '/api/am/publisher/v4';
const DEVPORTAL = '/api/am/devportal/v3';
const ADMIN = '/api/am/admin/v4';
const main = document.getElementById('main');
const statusLine = document.getElementById('status');

// ---- DOM helpers

/** h('input', {id: 'x', type: 'text'}, child...) builds an element; strings become text nodes. */
function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
        if (v === undefined || v === null || v === false) {
            continue;
        }
        if (k.startsWith('on')) {
            e.addEventListener(k.slice(2), v);
        } else if (k === 'class') {
            e.className = v;
        } else if (v === true) {
            e.setAttribute(k, '');
        } else {
            e.setAttribute(k, String(v));
        }
    }
    for (const c of children.flat()) {
        if (c !== null && c !== undefined && c !== false) {
            e.append(c instanceof Node ? c : document.createTextNode(String(c)));
        }
    }
    return e;
}

/** A labelled input with a place for its field error; `field` is the REST API's name of the field. */
function field(label, id, attrs = {}, field) {
    const input = h(attrs.tag || 'input', {id, name: id, 'data-field': field || id, 'aria-describedby': id + '-error',
        ...Object.fromEntries(Object.entries(attrs).filter(([k]) => k !== 'tag'))});
    return h('div', {class: 'field'}, h('label', {for: id}, label), input,
        h('p', {class: 'field-error', id: id + '-error', role: 'alert'}));
}

function show(...nodes) {
    main.replaceChildren(...nodes);
    main.focus();
}

function say(text) {
    statusLine.textContent = text;
}

function time() {
    const d = new Date();
    return d.toLocaleTimeString([], {hour12: false}) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

// ---- the REST APIs, with the signed-in user's credentials

class ApiError extends Error {
    constructor(status, body) {
        super(body && (body.description || body.message || body.error_description) || 'HTTP ' + status);
        this.status = status;
        this.body = body;
    }
}

function credentials() {
    return sessionStorage.getItem('synapsews.auth');
}

async function call(method, path, body, extraHeaders = {}) {
    const headers = {'X-Requested-With': 'synapse-ws-console', ...extraHeaders};
    if (credentials() && !headers.Authorization) {
        headers.Authorization = credentials();
    }
    let payload = body;
    if (body !== undefined && !(body instanceof FormData) && typeof body !== 'string') {
        headers['Content-Type'] = 'application/json';
        payload = JSON.stringify(body);
    }
    const r = await fetch(path, {method, headers, body: payload, credentials: 'omit', cache: 'no-store'});
    const type = r.headers.get('Content-Type') || '';
    const parsed = type.startsWith('application/json') ? await r.json() : await r.text();
    if (r.status === 401 && credentials() && !extraHeaders.Authorization) {
        sessionStorage.removeItem('synapsews.auth');
        location.hash = '#/sign-in';
    }
    if (!r.ok) {
        throw new ApiError(r.status, typeof parsed === 'object' ? parsed : {message: parsed});
    }
    return parsed;
}

/** Puts each field error of a REST API answer next to its input in `form`; the rest goes to `fallback`. */
function showErrors(form, e, fallback) {
    form.querySelectorAll('.field-error').forEach(p => { p.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(i => i.removeAttribute('aria-invalid'));
    let placed = false;
    for (const fe of (e.body && e.body.error) || []) {
        const input = fe.field && [...form.querySelectorAll('[data-field]')].find(i => i.dataset.field === fe.field
            || fe.field.startsWith(i.dataset.field + '.') || fe.field.startsWith(i.dataset.field + '['));
        if (input) {
            input.setAttribute('aria-invalid', 'true');
            document.getElementById(input.id + '-error').textContent = fe.message || e.message;
            placed = true;
        }
    }
    const target = fallback || form.querySelector('.form-error');
    if (target) {
        target.textContent = placed ? '' : e.message;
    }
    if (!placed && !target) {
        say(e.message);
    }
}

// ---- routing

const routes = [
    [/^#\/sign-in$/, signIn],
    [/^#\/publisher$/, publisherList],
    [/^#\/publisher\/create$/, () => apiForm(null)],
    [/^#\/publisher\/apis\/([^/]+)\/edit$/, id => apiForm(id)],
    [/^#\/publisher\/apis\/([^/]+)$/, publisherApi],
    [/^#\/devportal$/, devportalList],
    [/^#\/devportal\/apis\/([^/]+)$/, devportalApi],
    [/^#\/dashboard$/, dashboard],
];

let leaving = [];

async function route() {
    leaving.forEach(f => f());
    leaving = [];
    say('');
    const hash = location.hash || '#/publisher';
    if (!credentials() && hash !== '#/sign-in') {
        location.hash = '#/sign-in';
        return;
    }
    document.getElementById('nav').hidden = !credentials();
    document.querySelectorAll('#nav a').forEach(a => {
        a.toggleAttribute('aria-current', hash.startsWith('#/' + a.dataset.section));
    });
    for (const [re, view] of routes) {
        const m = hash.match(re);
        if (m) {
            try {
                await view(...m.slice(1).map(decodeURIComponent));
            } catch (e) {
                show(h('h1', {}, 'Something went wrong'), h('p', {class: 'form-error', role: 'alert'}, e.message));
            }
            return;
        }
    }
    location.hash = '#/publisher';
}

window.addEventListener('hashchange', route);
document.getElementById('sign-out').addEventListener('click', () => {
    sessionStorage.clear();
    location.hash = '#/sign-in';
});

// ---- sign in

function signIn() {
    const error = h('p', {class: 'form-error', id: 'sign-in-error', role: 'alert'});
    const form = h('form', {id: 'sign-in', class: 'card narrow', novalidate: true},
        h('h1', {}, 'Sign in'),
        field('User name', 'user', {autocomplete: 'username', required: true}),
        field('Password', 'password', {type: 'password', autocomplete: 'current-password', required: true}),
        error,
        h('button', {type: 'submit', id: 'sign-in-button'}, 'Sign in'));
    form.addEventListener('submit', async ev => {
        ev.preventDefault();
        const auth = 'Basic ' + btoa(unescape(encodeURIComponent(form.user.value + ':' + form.password.value)));
        try {
            await call('GET', PUBLISHER + '/apis', undefined, {Authorization: auth});
            sessionStorage.setItem('synapsews.auth', auth);
            location.hash = '#/publisher';
        } catch (e) {
            error.textContent = e.status === 401 ? 'Wrong user name or password.' : e.message;
            document.getElementById('password-error').textContent = e.status === 401 ? 'Check the password.' : '';
        }
    });
    document.getElementById('nav').hidden = true;
    show(form);
}

// ---- publisher

async function publisherList() {
    const apis = await call('GET', PUBLISHER + '/apis');
    const importError = h('p', {class: 'form-error', id: 'import-error', role: 'alert'});
    const file = h('input', {type: 'file', id: 'asyncapi-file', accept: '.yaml,.yml,.json', 'aria-describedby': 'import-error'});
    const context = h('input', {id: 'asyncapi-context', placeholder: '/chat', 'data-field': 'context'});
    const importForm = h('form', {id: 'import-asyncapi', class: 'card'},
        h('h2', {}, 'Import AsyncAPI'),
        h('div', {class: 'field'}, h('label', {for: 'asyncapi-file'}, 'AsyncAPI 2.x or 3.0 document (YAML or JSON)'), file),
        h('div', {class: 'field'}, h('label', {for: 'asyncapi-context'}, 'Context (optional)'), context),
        importError,
        h('button', {type: 'submit', id: 'import-button'}, 'Import'));
    importForm.addEventListener('submit', async ev => {
        ev.preventDefault();
        if (!file.files.length) {
            importError.textContent = 'Choose a file first.';
            return;
        }
        const data = new FormData();
        data.append('file', file.files[0]);
        if (context.value) {
            data.append('additionalProperties', JSON.stringify({context: context.value}));
        }
        try {
            const created = await call('POST', PUBLISHER + '/apis/import-asyncapi', data);
            location.hash = '#/publisher/apis/' + encodeURIComponent(created.id);
        } catch (e) {
            importError.textContent = e.message;
        }
    });
    show(h('h1', {}, 'APIs'),
        h('p', {}, h('a', {href: '#/publisher/create', class: 'button', id: 'create-api'}, 'Create WebSocket API')),
        apis.list.length === 0 ? h('p', {class: 'muted'}, 'No APIs yet.') : h('table', {class: 'list', id: 'api-list'},
            h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Name'), h('th', {scope: 'col'}, 'Context'),
                h('th', {scope: 'col'}, 'Version'), h('th', {scope: 'col'}, 'Status'))),
            h('tbody', {}, apis.list.map(a => h('tr', {},
                h('td', {}, h('a', {href: '#/publisher/apis/' + encodeURIComponent(a.id)}, a.name)),
                h('td', {}, a.context), h('td', {}, a.version), h('td', {}, a.lifeCycleStatus))))),
        importForm);
}

function topicRow(topic = {}) {
    const n = document.querySelectorAll('.topic').length + Math.floor(Math.random() * 1e6);
    const row = h('fieldset', {class: 'topic'}, h('legend', {}, 'Topic'),
        field('Path', 'topic-target-' + n, {value: topic.target || '', placeholder: '/rooms/{room}', class: 'topic-target'}, 'operations'),
        field('Backend path', 'topic-mapping-' + n, {value: topic.uriMapping || '', placeholder: '/rooms/{uri.var.room}',
            class: 'topic-mapping'}, 'operations.uriMapping'),
        field('Scopes (space separated)', 'topic-scopes-' + n, {value: (topic.scopes || []).join(' '), class: 'topic-scopes'},
            'operations.scopes'),
        h('button', {type: 'button', class: 'secondary', onclick: () => row.remove()}, 'Remove topic'));
    return row;
}

async function apiForm(id) {
    const [api, tiers] = await Promise.all([
        id ? call('GET', PUBLISHER + '/apis/' + encodeURIComponent(id)) : Promise.resolve(null),
        call('GET', ADMIN + '/throttling/policies/subscription')]);
    const ec = (api && api.endpointConfig) || {};
    const url = k => (ec[k] && ec[k].url) || '';
    const topics = h('div', {id: 'topics'});
    ((api && api.operations) || []).forEach(t => topics.append(topicRow(t)));
    const testButton = (which, inputId) => {
        const out = h('output', {id: 'test-' + which + '-result', for: inputId, 'aria-live': 'polite'});
        const b = h('button', {type: 'button', class: 'secondary', id: 'test-' + which, onclick: async () => {
            out.textContent = 'testing…';
            try {
                const r = await call('POST', PUBLISHER + '/apis/validate-endpoint?endpointUrl='
                    + encodeURIComponent(document.getElementById(inputId).value));
                out.textContent = (r.isURLValid ? '✓ ' : '✗ ') + r.statusMessage;
                out.className = r.isURLValid ? 'ok' : 'bad';
            } catch (e) {
                out.textContent = '✗ ' + e.message;
                out.className = 'bad';
            }
        }}, 'Test');
        return h('div', {class: 'test'}, b, out);
    };
    const chosen = new Set((api && api.policies) || ['Unlimited']);
    const formError = h('p', {class: 'form-error', role: 'alert'});
    const form = h('form', {id: 'api-form', class: 'card', novalidate: true},
        h('h1', {}, api ? 'Edit ' + api.name : 'Create WebSocket API'),
        h('fieldset', {}, h('legend', {}, 'Design'),
            field('Name', 'api-name', {value: api ? api.name : '', required: true}, 'name'),
            field('Context', 'api-context', {value: api ? api.context : '', placeholder: '/echowebsocket', required: true}, 'context'),
            field('Version', 'api-version', {value: api ? api.version : '', placeholder: '1.0', required: true}, 'version'),
            field('Description', 'api-description', {tag: 'textarea', rows: 2}, 'description')),
        h('fieldset', {}, h('legend', {}, 'Implement'),
            field('Production endpoint (ws:// or wss://)', 'api-production', {value: url('production_endpoints'),
                placeholder: 'ws://localhost:8080/'}, 'endpointConfig.production_endpoints'),
            testButton('production', 'api-production'),
            field('Sandbox endpoint (optional)', 'api-sandbox', {value: url('sandbox_endpoints')}, 'endpointConfig.sandbox_endpoints'),
            testButton('sandbox', 'api-sandbox')),
        h('fieldset', {'data-field': 'policies', id: 'api-tiers', 'aria-describedby': 'api-tiers-error'},
            h('legend', {}, 'Manage: subscription tiers'),
            tiers.list.map(t => h('label', {class: 'check'}, h('input', {type: 'checkbox', name: 'tier', value: t.policyName,
                id: 'tier-' + t.policyName, checked: chosen.has(t.policyName)}), ' ' + t.policyName
                + (t.defaultLimit && t.defaultLimit.requestCount && t.defaultLimit.requestCount.requestCount
                    ? ` (${t.defaultLimit.requestCount.requestCount} messages a minute)` : ''))),
            h('p', {class: 'field-error', id: 'api-tiers-error', role: 'alert'})),
        h('fieldset', {}, h('legend', {}, 'Topics'),
            h('p', {class: 'muted'}, 'Without topics the API serves its context; with them, each path under it.'),
            topics, h('button', {type: 'button', class: 'secondary', id: 'add-topic', onclick: () => topics.append(topicRow())},
                'Add topic')),
        formError,
        h('div', {class: 'actions'},
            h('button', {type: 'submit', id: 'save', value: 'save', class: 'secondary'}, 'Save'),
            h('button', {type: 'submit', id: 'save-publish', value: 'publish'}, 'Save & Publish')));
    form.addEventListener('submit', async ev => {
        ev.preventDefault();
        const publish = ev.submitter && ev.submitter.value === 'publish';
        const endpointConfig = {endpoint_type: 'ws', production_endpoints: {url: form['api-production'].value}};
        if (form['api-sandbox'].value) {
            endpointConfig.sandbox_endpoints = {url: form['api-sandbox'].value};
        }
        const body = {
            name: form['api-name'].value, context: form['api-context'].value, version: form['api-version'].value,
            type: 'WS', endpointConfig,
            policies: [...form.querySelectorAll('input[name=tier]:checked')].map(c => c.value),
            operations: [...topics.querySelectorAll('.topic')].map(t => ({
                target: t.querySelector('.topic-target').value, verb: 'SUBSCRIBE',
                uriMapping: t.querySelector('.topic-mapping').value || undefined,
                scopes: t.querySelector('.topic-scopes').value.split(/\s+/).filter(Boolean)})),
        };
        if (form['api-description'].value) {
            body.description = form['api-description'].value;
        }
        try {
            const saved = api ? await call('PUT', PUBLISHER + '/apis/' + encodeURIComponent(api.id), body)
                : await call('POST', PUBLISHER + '/apis', body);
            if (publish && saved.lifeCycleStatus !== 'PUBLISHED') {
                await call('POST', PUBLISHER + '/apis/change-lifecycle?apiId=' + encodeURIComponent(saved.id) + '&action=Publish');
            }
            location.hash = '#/publisher/apis/' + encodeURIComponent(saved.id);
        } catch (e) {
            showErrors(form, e, formError);
        }
    });
    if (api && api.description) {
        form['api-description'].value = api.description;
    }
    show(form);
}

const ACTIONS = {CREATED: ['Publish'], PUBLISHED: ['Block', 'Deprecate', 'Retire', 'Demote to Created'],
    BLOCKED: ['Re-Publish', 'Retire'], DEPRECATED: ['Re-Publish', 'Retire'], RETIRED: []};

async function publisherApi(id) {
    const api = await call('GET', PUBLISHER + '/apis/' + encodeURIComponent(id));
    const error = h('p', {class: 'form-error', role: 'alert', id: 'lifecycle-error'});
    const ec = api.endpointConfig || {};
    const download = h('button', {type: 'button', class: 'secondary', id: 'download-asyncapi', onclick: async () => {
        try {
            const doc = await call('GET', PUBLISHER + '/apis/' + encodeURIComponent(id) + '/asyncapi');
            const a = h('a', {href: URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], {type: 'application/json'})),
                download: `${api.name}-${api.version}.asyncapi.json`});
            document.body.append(a);
            a.click();
            a.remove();
        } catch (e) {
            error.textContent = e.message;
        }
    }}, 'Download AsyncAPI');
    show(h('h1', {}, api.name + ' ' + api.version),
        h('dl', {class: 'facts'},
            h('dt', {}, 'Status'), h('dd', {id: 'api-status'}, api.lifeCycleStatus),
            h('dt', {}, 'Context'), h('dd', {}, api.context),
            h('dt', {}, 'Production endpoint'), h('dd', {}, (ec.production_endpoints && ec.production_endpoints.url) || '—'),
            h('dt', {}, 'Sandbox endpoint'), h('dd', {}, (ec.sandbox_endpoints && ec.sandbox_endpoints.url) || '—'),
            h('dt', {}, 'Tiers'), h('dd', {}, (api.policies || []).join(', ')),
            h('dt', {}, 'Topics'), h('dd', {}, (api.operations || []).map(o => o.target).join(', ') || '—')),
        h('div', {class: 'actions', role: 'group', 'aria-label': 'Life cycle'},
            (ACTIONS[api.lifeCycleStatus] || []).map(action => h('button', {type: 'button', id: 'lifecycle-' + action.replace(/\W+/g, '-'),
                onclick: async () => {
                    try {
                        await call('POST', PUBLISHER + '/apis/change-lifecycle?apiId=' + encodeURIComponent(id)
                            + '&action=' + encodeURIComponent(action));
                        say(api.name + ': ' + action + ' done');
                        publisherApi(id);
                    } catch (e) {
                        error.textContent = e.message;
                    }
                }}, action))),
        error,
        h('div', {class: 'actions'},
            h('a', {class: 'button secondary', href: '#/publisher/apis/' + encodeURIComponent(id) + '/edit', id: 'edit-api'}, 'Edit'),
            download,
            h('button', {type: 'button', class: 'danger', id: 'delete-api', onclick: async () => {
                if (!confirm('Delete ' + api.name + ' ' + api.version + '?')) {
                    return;
                }
                try {
                    await call('DELETE', PUBLISHER + '/apis/' + encodeURIComponent(id));
                    location.hash = '#/publisher';
                } catch (e) {
                    error.textContent = e.message;
                }
            }}, 'Delete')),
        api.lifeCycleStatus === 'PUBLISHED'
            ? h('p', {}, h('a', {href: '#/devportal/apis/' + encodeURIComponent(id), id: 'to-devportal'}, 'Open in the developer portal'))
            : null);
}

// ---- developer portal

async function devportalList() {
    const apis = await call('GET', DEVPORTAL + '/apis');
    show(h('h1', {}, 'Published APIs'),
        apis.list.length === 0 ? h('p', {class: 'muted'}, 'Nothing is published yet.') : h('ul', {class: 'cards', id: 'store-apis'},
            apis.list.map(a => h('li', {class: 'card'},
                h('h2', {}, h('a', {href: '#/devportal/apis/' + encodeURIComponent(a.id)}, a.name + ' ' + a.version)),
                urls(a)))));
}

function urls(a) {
    const u = (a.endpointURLs && a.endpointURLs[0] && a.endpointURLs[0].URLs) || {};
    return h('dl', {class: 'facts'}, h('dt', {}, 'ws'), h('dd', {}, h('code', {}, u.ws || '')),
        h('dt', {}, 'wss'), h('dd', {}, h('code', {}, u.wss || '')));
}

/** Secrets and tokens of this page's session: shown once, kept in memory only. */
const secrets = {};

async function devportalApi(id) {
    const [api, apps] = await Promise.all([call('GET', DEVPORTAL + '/apis/' + encodeURIComponent(id)),
        call('GET', DEVPORTAL + '/applications')]);
    const u = (api.endpointURLs && api.endpointURLs[0] && api.endpointURLs[0].URLs) || {};
    const appSelect = h('select', {id: 'application', 'aria-describedby': 'application-error'},
        apps.list.map(a => h('option', {value: a.applicationId}, a.name)));
    const appError = h('p', {class: 'field-error', id: 'application-error', role: 'alert'});
    const keysArea = h('div', {id: 'keys'});
    const subscribeError = h('p', {class: 'form-error', id: 'subscribe-error', role: 'alert'});
    const subscribed = h('p', {id: 'subscription-state', 'aria-live': 'polite'});
    const tier = h('select', {id: 'subscribe-tier', 'data-field': 'throttlingPolicy'},
        (api.throttlingPolicies || []).map(t => h('option', {value: t}, t)));
    const tryIt = tryItPanel(u);

    const refreshApp = async () => {
        keysArea.replaceChildren();
        subscribed.textContent = '';
        const appId = appSelect.value;
        if (!appId) {
            return;
        }
        const [app, subs] = await Promise.all([call('GET', DEVPORTAL + '/applications/' + encodeURIComponent(appId)),
            call('GET', DEVPORTAL + '/subscriptions?applicationId=' + encodeURIComponent(appId))]);
        const sub = subs.list.find(s => s.apiId === id);
        subscribed.textContent = sub ? `Subscribed with ${sub.throttlingPolicy} (${sub.status}).` : 'Not subscribed yet.';
        for (const keyType of ['PRODUCTION', 'SANDBOX']) {
            keysArea.append(keyPanel(app, keyType, tryIt));
        }
    };
    appSelect.addEventListener('change', refreshApp);

    const newApp = h('input', {id: 'new-application', 'data-field': 'name', 'aria-describedby': 'new-application-error'});
    const newAppForm = h('form', {id: 'create-application', class: 'inline'},
        h('label', {for: 'new-application'}, 'New application'), newApp,
        h('button', {type: 'submit', class: 'secondary', id: 'create-application-button'}, 'Create application'),
        h('p', {class: 'field-error', id: 'new-application-error', role: 'alert'}));
    newAppForm.addEventListener('submit', async ev => {
        ev.preventDefault();
        try {
            const app = await call('POST', DEVPORTAL + '/applications', {name: newApp.value, throttlingPolicy: 'Unlimited'});
            appSelect.append(h('option', {value: app.applicationId}, app.name));
            appSelect.value = app.applicationId;
            newApp.value = '';
            showErrors(newAppForm, {body: {}}, null);
            await refreshApp();
        } catch (e) {
            showErrors(newAppForm, e, document.getElementById('new-application-error'));
        }
    });
    const subscribeForm = h('form', {id: 'subscribe', class: 'inline'},
        h('label', {for: 'subscribe-tier'}, 'Tier'), tier,
        h('button', {type: 'submit', id: 'subscribe-button'}, 'Subscribe'), subscribeError);
    subscribeForm.addEventListener('submit', async ev => {
        ev.preventDefault();
        try {
            if (!appSelect.value) {
                throw new Error('Create or pick an application first.');
            }
            await call('POST', DEVPORTAL + '/subscriptions', {apiId: id, applicationId: appSelect.value, throttlingPolicy: tier.value});
            subscribeError.textContent = '';
            await refreshApp();
        } catch (e) {
            subscribeError.textContent = e.message;
        }
    });
    show(h('h1', {}, api.name + ' ' + api.version), urls(api),
        h('section', {class: 'card', 'aria-labelledby': 'subscribe-heading'},
            h('h2', {id: 'subscribe-heading'}, 'Subscribe'),
            h('div', {class: 'field'}, h('label', {for: 'application'}, 'Application'), appSelect, appError),
            newAppForm, subscribeForm, subscribed),
        h('section', {class: 'card', 'aria-labelledby': 'keys-heading'}, h('h2', {id: 'keys-heading'}, 'Keys'), keysArea),
        tryIt.element);
    await refreshApp();
}

function keyPanel(app, keyType, tryIt) {
    const label = keyType === 'PRODUCTION' ? 'Production Keys' : 'Sandbox Keys';
    const existing = (app.keys || []).find(k => k.keyType === keyType);
    const out = h('div', {id: 'keys-' + keyType, 'aria-live': 'polite'});
    const error = h('p', {class: 'form-error', role: 'alert', id: 'keys-' + keyType + '-error'});
    const remembered = secrets[app.applicationId + keyType];
    const render = (key, secret) => {
        out.replaceChildren(h('dl', {class: 'facts'},
            h('dt', {}, 'Consumer key'), h('dd', {}, h('code', {id: 'consumer-key-' + keyType}, key)),
            h('dt', {}, 'Consumer secret'), h('dd', {}, secret ? h('code', {id: 'consumer-secret-' + keyType}, secret)
                : h('span', {class: 'muted'}, 'shown once, when generated; regenerate it to see a new one'))));
        if (secret) {
            const tokenOut = h('textarea', {id: 'token-' + keyType, readonly: true, rows: 3, 'aria-label': label + ' access token'});
            out.append(h('button', {type: 'button', id: 'generate-token-' + keyType, onclick: async () => {
                try {
                    const r = await fetch('/oauth2/token', {method: 'POST', cache: 'no-store', headers: {
                        Authorization: 'Basic ' + btoa(key + ':' + secret), 'Content-Type': 'application/x-www-form-urlencoded'},
                        body: 'grant_type=client_credentials'});
                    const body = await r.json();
                    if (!r.ok) {
                        throw new Error(body.error_description || body.error || 'HTTP ' + r.status);
                    }
                    tokenOut.value = body.access_token;
                    tryIt.useToken(body.access_token, keyType);
                    error.textContent = '';
                } catch (e) {
                    error.textContent = e.message;
                }
            }}, 'Generate access token'), tokenOut);
        }
    };
    const generate = h('button', {type: 'button', id: 'generate-keys-' + keyType, onclick: async () => {
        try {
            const k = existing
                ? await call('POST', DEVPORTAL + '/applications/' + encodeURIComponent(app.applicationId) + '/oauth-keys/'
                    + encodeURIComponent(existing.keyMappingId) + '/regenerate-secret')
                : await call('POST', DEVPORTAL + '/applications/' + encodeURIComponent(app.applicationId) + '/generate-keys',
                    {keyType, grantTypesToBeSupported: ['client_credentials']});
            const key = k.consumerKey || existing.consumerKey;
            secrets[app.applicationId + keyType] = [key, k.consumerSecret];
            render(key, k.consumerSecret);
            generate.textContent = 'Regenerate secret';
            error.textContent = '';
        } catch (e) {
            error.textContent = e.message;
        }
    }}, existing ? 'Regenerate secret' : 'Generate Keys');
    if (remembered) {
        render(remembered[0], remembered[1]);
    } else if (existing) {
        render(existing.consumerKey, null);
    }
    return h('section', {class: 'keys', 'aria-label': label}, h('h3', {}, label), generate, error, out);
}

// ---- try it: a WebSocket console with the token as the access_token. subprotocol entry

function tryItPanel(u) {
    const target = h('select', {id: 'tryit-url'}, [u.ws, u.wss].filter(Boolean).map(x => h('option', {value: x}, x)));
    const token = h('textarea', {id: 'tryit-token', rows: 2, 'aria-describedby': 'tryit-token-help'});
    const protocol = h('input', {id: 'tryit-protocol', placeholder: 'echo.v1', 'aria-describedby': 'tryit-protocol-help'});
    const message = h('input', {id: 'tryit-message', 'aria-label': 'Message', disabled: true});
    const log = h('ol', {id: 'tryit-log', class: 'log', 'aria-live': 'polite', 'aria-label': 'Messages'});
    const state = h('p', {id: 'tryit-state', role: 'status'}, 'Not connected.');
    const latency = h('p', {id: 'tryit-latency', class: 'muted'});
    let ws = null;
    let sentAt = [];
    const entry = (kind, text) => {
        log.append(h('li', {class: kind}, h('time', {}, time()), ' ', kind === 'sent' ? '→ ' : kind === 'received' ? '← ' : '• ', text));
        log.scrollTop = log.scrollHeight;
    };
    const connect = h('button', {type: 'button', id: 'tryit-connect', onclick: () => {
        if (ws) {
            ws.close(1000, 'done');
            return;
        }
        const offered = [protocol.value.trim(), token.value.trim() ? 'access_token.' + token.value.trim() : ''].filter(Boolean);
        let url = target.value;
        if (offered.length === 1 && token.value.trim()) {
            // a browser fails a handshake that offered subprotocols when the server picks none: with no real
            // subprotocol to offer beside it, the token goes in the access_token query parameter instead
            url += (url.includes('?') ? '&' : '?') + 'access_token=' + encodeURIComponent(token.value.trim());
            offered.length = 0;
        }
        const started = performance.now();
        entry('event', 'connecting to ' + target.value + (offered.length > 1 ? ' (token as the access_token. subprotocol entry)'
            : token.value.trim() ? ' (token in the access_token query parameter)' : ' (no token)'));
        try {
            ws = offered.length ? new WebSocket(url, offered) : new WebSocket(url);
        } catch (e) {
            entry('event', 'cannot connect: ' + e.message);
            ws = null;
            return;
        }
        ws.binaryType = 'arraybuffer';
        state.textContent = 'Connecting…';
        ws.onopen = () => {
            state.textContent = `Connected (handshake 101 in ${Math.round(performance.now() - started)} ms`
                + (ws.protocol ? `, subprotocol ${ws.protocol}` : '') + ').';
            entry('event', 'connected');
            connect.textContent = 'Disconnect';
            message.disabled = false;
            send.disabled = false;
        };
        ws.onmessage = ev => {
            const text = typeof ev.data === 'string' ? ev.data : `(${ev.data.byteLength} bytes binary)`;
            const t0 = sentAt.shift();
            if (t0 !== undefined) {
                latency.textContent = `Round trip of the last message: ${(performance.now() - t0).toFixed(1)} ms`;
            }
            entry('received', text);
        };
        ws.onerror = () => entry('event', 'error (a refused handshake shows as close 1006; its HTTP status is in the gateway log)');
        ws.onclose = ev => {
            entry('event', `closed ${ev.code}${ev.reason ? ' ' + ev.reason : ''}${ev.wasClean ? '' : ' (not clean)'}`);
            state.textContent = `Closed: ${ev.code}${ev.reason ? ' ' + ev.reason : ''}.`;
            connect.textContent = 'Connect';
            message.disabled = true;
            send.disabled = true;
            ws = null;
            sentAt = [];
        };
    }}, 'Connect');
    const send = h('button', {type: 'submit', id: 'tryit-send', disabled: true}, 'Send');
    const sendForm = h('form', {class: 'inline', id: 'tryit-send-form'}, message, send);
    sendForm.addEventListener('submit', ev => {
        ev.preventDefault();
        if (ws && ws.readyState === WebSocket.OPEN) {
            ws.send(message.value);
            sentAt.push(performance.now());
            entry('sent', message.value);
            message.value = '';
        }
    });
    leaving.push(() => ws && ws.close(1001, 'page left'));
    const element = h('section', {class: 'card', 'aria-labelledby': 'tryit-heading', id: 'tryit'},
        h('h2', {id: 'tryit-heading'}, 'Try it'),
        h('div', {class: 'field'}, h('label', {for: 'tryit-url'}, 'URL'), target),
        h('div', {class: 'field'}, h('label', {for: 'tryit-token'}, 'Access token'), token,
            h('p', {class: 'muted', id: 'tryit-token-help'}, 'Sent as the Sec-WebSocket-Protocol entry access_token.<token>: browsers cannot set headers.')),
        h('div', {class: 'field'}, h('label', {for: 'tryit-protocol'}, 'Subprotocol the backend speaks'), protocol,
            h('p', {class: 'muted', id: 'tryit-protocol-help'}, 'Offered beside the token entry; empty: the token goes in the query instead.')),
        h('div', {class: 'actions'}, connect), state, sendForm, latency, log);
    return {element, useToken: (t, keyType) => {
        token.value = t;
        entry('event', 'token of the ' + keyType.toLowerCase() + ' keys ready');
    }};
}

// ---- dashboard: the gateway's own metrics, refreshing by itself

function parseMetrics(text) {
    const out = [];
    for (const line of text.split('\n')) {
        const m = line.match(/^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/);
        if (!m) {
            continue;
        }
        const labels = {};
        for (const l of (m[2] || '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
            labels[l[1]] = l[2].replace(/\\(.)/g, (all, c) => c === 'n' ? '\n' : c);
        }
        out.push({name: m[1], labels, value: Number(m[3])});
    }
    return out;
}

function sum(metrics, name, key, filter = () => true) {
    const out = new Map();
    for (const m of metrics) {
        if (m.name === name && filter(m.labels)) {
            const k = key(m.labels);
            out.set(k, (out.get(k) || 0) + m.value);
        }
    }
    return out;
}

async function dashboard() {
    const history = [];
    const span = 10 * 60 * 1000;
    const body = h('div', {id: 'dashboard-body', class: 'grid'});
    const updated = h('p', {class: 'muted', id: 'dashboard-updated', 'aria-live': 'off'});
    show(h('h1', {}, 'Dashboard'), updated, body);
    const refresh = async () => {
        let metrics;
        try {
            metrics = parseMetrics(await call('GET', ADMIN + '/metrics'));
        } catch (e) {
            updated.textContent = 'Cannot read the metrics: ' + e.message;
            return;
        }
        const now = Date.now();
        const apiApp = l => `${l.api || '?'} ${l.version || ''} · ${l.application || '?'}`;
        const opened = sum(metrics, 'synapsews_connections_opened_total', apiApp);
        const closed = sum(metrics, 'synapsews_connections_closed_total', apiApp);
        const live = [...opened].map(([k, v]) => [k, v - (closed.get(k) || 0)]).filter(p => p[1] > 0);
        const dir = name => sum(metrics, name, l => l.direction || '?');
        history.push({t: now, messages: dir('synapsews_messages_total'), bytes: dir('synapsews_bytes_total'),
            throttled: dir('synapsews_throttled_messages_total')});
        while (history.length > 2 && now - history[0].t > span) {
            history.shift();
        }
        const perMinute = (field, direction) => {
            const pts = [];
            for (let i = 1; i < history.length; i++) {
                const dt = (history[i].t - history[i - 1].t) / 60000;
                const dv = (history[i][field].get(direction) || 0) - (history[i - 1][field].get(direction) || 0);
                pts.push([history[i].t, dt > 0 ? Math.max(0, dv) / dt : 0]);
            }
            return pts;
        };
        const directions = ['client_to_backend', 'backend_to_client'];
        const rejections = sum(metrics, 'synapsews_handshake_rejections_total', l => `${l.status} ${l.reason}`);
        const throttled = sum(metrics, 'synapsews_throttled_messages_total', l => `${apiApp(l)} · ${l.direction}`);
        body.replaceChildren(
            h('section', {class: 'card', id: 'live-connections'}, barChart('Live connections per API and application', live)),
            h('section', {class: 'card'}, lineChart('Messages per minute', directions.map(d => ({name: d, points: perMinute('messages', d)})), span)),
            h('section', {class: 'card'}, lineChart('Bytes per minute', directions.map(d => ({name: d, points: perMinute('bytes', d)})), span)),
            h('section', {class: 'card', id: 'throttled'}, barChart('Throttled messages (since start)', [...throttled])),
            h('section', {class: 'card', id: 'rejections'}, barChart('Handshake rejections by reason (since start)', [...rejections])));
        updated.textContent = 'Updated ' + time() + '; refreshes every 5 seconds.';
    };
    await refresh();
    const timer = setInterval(refresh, 5000);
    leaving.push(() => clearInterval(timer));
}

route();
