// The person's verification flow. The intake API is the source of truth: every step is chosen
// from GET /v1/session, so a reload, a dropped connection or a second tab resumes correctly.
import { Api, ApiError, NetworkError } from './api.js';
import { captureFrame, cameraSupported, startCamera, stopCamera } from './camera.js';
import { applyStrings, loadLanguage, language, pickLanguage, setPlain, setText, t } from './i18n.js';

const OPEN = ['created', 'in_progress', 'resubmission_requested'];
const FINAL = ['approved', 'rejected', 'expired', 'cancelled'];
const MAX_RETAKES = 3;
const VERDICT_WAIT_S = 20; // the longest the API holds a request for a verdict
const KEY = {
  session: 'kcheck.session', pending: 'kcheck.pendingToken', welcomed: 'kcheck.welcomed',
  codeSent: 'kcheck.codeSent', resendAt: 'kcheck.resendAt', lang: 'kcheck.lang',
  here: 'kcheck.continueHere', codeTo: 'kcheck.codeTo',
};
// The overall progress a person sees ("Step 3 of 6"); other screens show none.
const STEPS = { consent: 1, phone: 2, code: 2, location: 3, doctype: 4, capture: 5, summary: 6 };
const STEP_COUNT = 6;

// Read the link token and take it out of the address bar before anything else runs, so it
// stays out of the history, bookmarks and screenshots.
const linkToken = window.location.hash.slice(1);
if (linkToken) history.replaceState(null, '', window.location.pathname + window.location.search);

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const store = {
  get: (key) => { try { return sessionStorage.getItem(key); } catch { return null; } },
  set: (key, value) => { try { sessionStorage.setItem(key, value); } catch { /* private mode */ } },
  del: (key) => { try { sessionStorage.removeItem(key); } catch { /* private mode */ } },
};

const api = new Api({
  onRetry: () => showBanner('net.retrying'),
  onRecovered: () => hideBanner(),
});
const state = {
  step: null, view: null, slot: null, blob: null, phone: null, flash: null,
  thumbs: [], // object URLs of the summary's thumbnails, released when it is left
  generation: 0, // bumped on every screen change: stale polls and timers stop themselves
  timer: null,
};

// ---------------------------------------------------------------- screens

function show(step) {
  if (state.step === 'capture' && step !== 'capture') stopCamera($('camera'));
  state.step = step;
  state.generation += 1;
  clearInterval(state.timer);
  for (const section of document.querySelectorAll('main > section')) {
    section.hidden = section.dataset.step !== step;
  }
  for (const el of document.querySelectorAll(`#step-${step} .error`)) el.hidden = true;
  const progress = $('progress');
  progress.hidden = !STEPS[step];
  if (STEPS[step]) setText(progress, 'progress', { i: STEPS[step], n: STEP_COUNT });
  for (const url of state.thumbs.splice(0)) URL.revokeObjectURL(url);
  const heading = document.querySelector(`#step-${step} h1`);
  heading.focus();
  // What just happened ("Code sent", "Location shared"), for eyes and for screen readers.
  const flash = $('flash');
  flash.hidden = !state.flash;
  if (state.flash) {
    setPlain(flash, state.flash);
    announce(state.flash);
    state.flash = null;
  }
  return state.generation;
}

function announce(text) {
  const live = $('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 50);
  setTimeout(() => { if (live.textContent === text) live.textContent = ''; }, 8000);
}

// "+41 79 123 45 67" -> "+41 •• ••• 45 67": enough to recognise one's number, not to read it.
function maskPhone(raw) {
  const digits = raw.replace(/[^\d]/g, '');
  if (digits.length < 7) return raw.trim();
  const head = raw.trim().startsWith('+') ? `+${digits.slice(0, 2)}` : digits.slice(0, 3);
  const hidden = digits.length - (head.replace('+', '').length) - 4;
  const dots = '•'.repeat(Math.max(hidden, 1));
  const middle = dots.length > 3 ? `${dots.slice(0, 2)} ${dots.slice(2)}` : dots;
  return `${head} ${middle} ${digits.slice(-4, -2)} ${digits.slice(-2)}`;
}

function showError(id, text, input) {
  const el = $(id);
  setPlain(el, text);
  el.hidden = false;
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
}

function clearError(id, input) {
  $(id).hidden = true;
  if (input) input.removeAttribute('aria-invalid');
}

function showBanner(key) {
  setText($('net'), key);
  $('net').hidden = false;
}

function hideBanner() {
  $('net').hidden = true;
}

function problem(kind, retry) {
  show('problem');
  setText($('problem-title'), `problem.${kind}.title`);
  setText($('problem-text'), `problem.${kind}.text`);
  const button = $('problem-retry');
  button.hidden = !retry;
  button.onclick = retry || null;
}

// Errors every step shares: a lost session, a dropped connection, a step that another tab (or
// the server) says is not the current one.
function handle(err, retry) {
  if (err instanceof NetworkError) return problem('offline', retry);
  if (err instanceof ApiError && err.status === 401) {
    store.del(KEY.session);
    return problem('session_ended');
  }
  if (err instanceof ApiError && err.status === 409) return refresh();
  // Anything else (a refused request, a server error): say so, and offer to carry on from
  // what the server knows.
  show('problem');
  setPlain($('problem-title'), err instanceof ApiError ? err.message : String(err));
  setPlain($('problem-text'), '');
  $('problem-retry').hidden = false;
  $('problem-retry').onclick = refresh;
  return undefined;
}

// ---------------------------------------------------------------- start and routing

async function setLanguage(lang) {
  if (lang === language() && document.documentElement.dataset.loaded) return;
  api.lang = lang;
  await loadLanguage(lang, (path) => api.fetchJson(path));
  document.documentElement.dataset.loaded = '1';
  $('lang').value = lang;
}

function isDesktop() {
  return !(navigator.maxTouchPoints > 0) && !window.matchMedia('(pointer: coarse)').matches;
}

async function start() {
  wire();
  try {
    await setLanguage(pickLanguage(store.get(KEY.lang), navigator.languages || [], navigator.language));
  } catch {
    // Without strings the keys show; still better than a blank page. Retried on the next step.
  }
  if (linkToken) {
    // A newly opened link starts over, even if this tab held an older session.
    for (const key of [KEY.session, KEY.welcomed, KEY.codeSent, KEY.resendAt, KEY.here]) store.del(key);
    store.set(KEY.pending, linkToken);
  }
  api.sessionToken = store.get(KEY.session);
  if (api.sessionToken) return refresh();
  const pending = store.get(KEY.pending);
  if (!pending) return problem('no_link');
  if (isDesktop() && !store.get(KEY.here)) return showHandoff(pending);
  return openSession(pending);
}

async function openSession(token) {
  let opened;
  try {
    opened = await api.call('POST', '/v1/sessions', { json: { token } });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      store.del(KEY.pending);
      return problem('link_invalid');
    }
    if (err instanceof ApiError && err.status === 429) return problem('offline', () => openSession(token));
    return handle(err, () => openSession(token));
  }
  store.set(KEY.session, opened.session_token);
  store.del(KEY.pending);
  api.sessionToken = opened.session_token;
  return route(opened.case);
}

async function refresh() {
  let view;
  try {
    view = await api.call('GET', '/v1/session');
  } catch (err) {
    return handle(err, refresh);
  }
  return route(view);
}

async function route(view) {
  state.view = view;
  try {
    await setLanguage(pickLanguage(store.get(KEY.lang), view.locale, navigator.languages || []));
  } catch {
    // keep the current language
  }
  if (!OPEN.includes(view.status)) return showStatus(view);
  if (!view.consent.terms || !view.consent.biometric) {
    return store.get(KEY.welcomed) ? show('consent') : showWelcome(view);
  }
  switch (view.next_step) {
    case 'phone':
      return store.get(KEY.codeSent) ? showCode() : showPhone();
    case 'location':
      return showLocation();
    case 'document_type':
      return show('doctype');
    case 'photos':
      return showCapture(view, nextSlot(view));
    default:
      return showSummary(view);
  }
}

function slotDone(view, slot) {
  const photo = view.photos[slot];
  if (!photo || view.resubmission_slots.includes(slot)) return false;
  const status = photo.quality.status;
  return status === 'pass' || (status === 'retake' && photo.attempt > MAX_RETAKES);
}

function nextSlot(view) {
  return view.required_slots.find((slot) => !slotDone(view, slot));
}

// ---------------------------------------------------------------- steps before the photos

async function showHandoff(token) {
  show('handoff');
  const img = $('handoff-qr');
  img.alt = t('handoff.qr_alt');
  try {
    const blob = await api.fetchBlob('/verify/handoff-qr', { token });
    img.src = URL.createObjectURL(blob);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      store.del(KEY.pending);
      return problem('link_invalid');
    }
    showError('handoff-error', err instanceof ApiError ? err.message : t('problem.offline.text'));
  }
}

function showWelcome(view) {
  show('welcome');
  setText($('welcome-reason'), `welcome.reason.${view.reason}`);
}

function showPhone() {
  show('phone');
  if (state.phone) $('phone-number').value = state.phone;
}

function showCode() {
  const generation = show('code');
  $('code').value = '';
  const sentTo = store.get(KEY.codeTo);
  $('code-to').hidden = !sentTo;
  if (sentTo) setText($('code-to'), 'code.sent_to', { number: sentTo });
  const button = $('code-resend');
  const tick = () => {
    if (generation !== state.generation) return;
    const left = Math.ceil((Number(store.get(KEY.resendAt) || 0) - Date.now()) / 1000);
    button.disabled = left > 0;
    if (left > 0) setText($('resend-wait'), 'code.resend_in', { s: left });
    else setPlain($('resend-wait'), '');
  };
  tick();
  state.timer = setInterval(tick, 1000);
}

async function requestCode(phone) {
  try {
    const sent = await api.call('POST', '/v1/session/phone', { json: { phone_number: phone } });
    store.set(KEY.resendAt, String(Date.now() + sent.resend_after_s * 1000));
  } catch (err) {
    if (err instanceof ApiError && err.code === 'rate_limited' && err.problem.retry_after_s) {
      // A code was sent moments ago (perhaps by a retried request): wait for it.
      store.set(KEY.resendAt, String(Date.now() + err.problem.retry_after_s * 1000));
    } else {
      throw err;
    }
  }
  state.phone = phone;
  store.set(KEY.codeSent, '1');
  store.set(KEY.codeTo, maskPhone(phone));  // masked: the full number stays in memory only
}

async function onPhone(event) {
  event.preventDefault();
  const input = $('phone-number');
  clearError('phone-error', input);
  const phone = input.value.trim();
  if (!phone) return showError('phone-error', t('phone.required'), input);
  try {
    await requestCode(phone);
  } catch (err) {
    if (err instanceof ApiError && err.status !== 401 && err.status !== 409) {
      return showError('phone-error', err.message, input);
    }
    return handle(err, () => onPhone(event));
  }
  state.flash = t('code.sent');
  showCode();
}

async function onResend() {
  if (!state.phone) {
    store.del(KEY.codeSent);
    return showPhone();
  }
  clearError('code-error', $('code'));
  try {
    await requestCode(state.phone);
  } catch (err) {
    if (err instanceof ApiError && err.status !== 401 && err.status !== 409) {
      return showError('code-error', err.message);
    }
    return handle(err, onResend);
  }
  state.flash = t('code.resent');
  showCode();
}

async function onCode(event) {
  event.preventDefault();
  const input = $('code');
  clearError('code-error', input);
  const code = input.value.replace(/\s/g, '');
  if (!/^\d{6}$/.test(code)) return showError('code-error', t('code.format'), input);
  try {
    await api.call('POST', '/v1/session/phone/verify', { json: { code } });
  } catch (err) {
    if (err instanceof ApiError && err.code === 'wrong_code') {
      input.value = '';
      return showError('code-error', t('code.wrong', { n: err.problem.attempts_left }), input);
    }
    if (err instanceof ApiError && err.status !== 401 && err.status !== 409) {
      return showError('code-error', err.message, input);
    }
    return handle(err, () => onCode(event));
  }
  store.del(KEY.codeSent);
  store.del(KEY.resendAt);
  store.del(KEY.codeTo);
  state.flash = t('code.verified');
  return refresh();
}

async function showLocation() {
  const generation = show('location');
  $('location-denied').hidden = true;
  if (navigator.permissions && navigator.permissions.query) {
    try {
      const status = await navigator.permissions.query({ name: 'geolocation' });
      if (generation === state.generation && status.state === 'denied') $('location-denied').hidden = false;
    } catch {
      // Permissions API without geolocation: the request itself will tell.
    }
  }
}

function currentPosition() {
  return new Promise((resolve, reject) => {
    navigator.geolocation.getCurrentPosition(resolve, reject,
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });
}

async function onShareLocation() {
  clearError('location-error');
  if (!navigator.geolocation) return showError('location-error', t('location.unsupported'));
  const button = $('location-share');
  button.disabled = true;
  announce(t('location.locating'));
  let position;
  try {
    position = await currentPosition();
  } catch (err) {
    button.disabled = false;
    if (err.code === 1) {
      $('location-denied').hidden = false;
      $('location-denied').focus();
      return undefined;
    }
    return showError('location-error', t('location.unavailable'));
  }
  $('location-denied').hidden = true;
  const { latitude, longitude, accuracy } = position.coords;
  const fresh = Math.abs(Date.now() - position.timestamp) < 5 * 60 * 1000;
  try {
    await api.call('POST', '/v1/session/location', {
      json: {
        latitude, longitude,
        accuracy_m: Math.min(Math.max(accuracy || 1, 0.1), 100000),
        captured_at: new Date(fresh ? position.timestamp : Date.now()).toISOString(),
      },
    });
  } catch (err) {
    button.disabled = false;
    if (err instanceof ApiError && err.status === 422) return showError('location-error', err.message);
    return handle(err, onShareLocation);
  }
  button.disabled = false;
  state.flash = t('location.done');
  return refresh();
}

async function onDocumentType(type) {
  clearError('doctype-error');
  try {
    await api.call('PUT', '/v1/session/document-type', { json: { type } });
  } catch (err) {
    if (err instanceof ApiError && err.status === 422) return showError('doctype-error', err.message);
    return handle(err, () => onDocumentType(type));
  }
  return refresh();
}

// ---------------------------------------------------------------- photos

function feedback(kind, text) {
  const box = $('capture-feedback');
  box.className = `feedback ${kind}`;
  setPlain(box, text);
  box.hidden = !text;
}

function showCapture(view, slot, again = false) {
  const flash = state.flash;
  state.flash = null;
  show('capture');
  state.slot = slot;
  state.blob = null;
  const slots = view.required_slots;
  setText($('capture-title'), `slot.${slot}`);
  setText($('capture-counter'), 'capture.counter', { i: slots.indexOf(slot) + 1, n: slots.length });
  setText($('capture-tips'), slot === 'selfie' ? 'tips.selfie' : 'tips.document');
  $('capture-file').setAttribute('capture', slot === 'selfie' ? 'user' : 'environment');
  $('camera').setAttribute('aria-label', t('capture.camera_label'));
  $('capture-shot').hidden = true;
  const preview = $('capture-preview');
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.removeAttribute('src');  // a photo of another slot must never show as this one
  $('upload').hidden = true;
  $('capture-retry').hidden = true;
  $('capture-accept').hidden = true;
  feedback('good', flash || '');  // the feedback box is itself a live region
  // A retake chosen on the summary starts afresh: the accepted photo is not "wrong".
  const photo = again || view.resubmission_slots.includes(slot) ? null : view.photos[slot];
  if (photo && photo.quality.status === 'pending') return pollVerdict(slot);
  if (photo) feedback('bad', t('capture.previous', { message: photo.quality.message || '' }));
  return openCamera(slot);
}

async function openCamera(slot) {
  const generation = state.generation;
  const video = $('camera');
  $('capture-file-label').hidden = false;
  $('camera-error').hidden = true;
  if (!cameraSupported()) return cameraFailed('capture.camera_unavailable');
  try {
    await startCamera(video, slot === 'selfie' ? 'user' : 'environment');
  } catch (err) {
    return cameraFailed(err && err.name === 'NotAllowedError' ? 'capture.camera_denied' : 'capture.camera_unavailable');
  }
  if (generation !== state.generation || state.step !== 'capture') return stopCamera(video);
  video.classList.toggle('mirrored', slot === 'selfie');
  $('viewfinder').hidden = false;
  $('capture-shoot').hidden = false;
  $('capture-shoot').disabled = false;
  return undefined;
}

function cameraFailed(key) {
  $('viewfinder').hidden = true;
  $('capture-shoot').hidden = true;
  setText($('camera-error'), key);
  $('camera-error').hidden = false;
}

async function onShoot() {
  const video = $('camera');
  $('capture-shoot').disabled = true;
  let blob;
  try {
    blob = await captureFrame(video);
  } catch {
    $('capture-shoot').disabled = false;
    return undefined;
  }
  stopCamera(video);
  return sendPhoto(blob);
}

function onFile(event) {
  const file = event.target.files && event.target.files[0];
  event.target.value = '';
  if (!file) return undefined;
  stopCamera($('camera'));
  return sendPhoto(file);
}

async function sendPhoto(blob) {
  const slot = state.slot;
  const generation = state.generation;
  state.blob = blob;
  const preview = $('capture-preview');
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.src = URL.createObjectURL(blob);
  preview.alt = t(`slot.${slot}`);
  $('capture-shot').classList.remove('rejected');
  $('capture-problem').hidden = true;
  $('capture-shot').hidden = false;
  for (const id of ['viewfinder', 'capture-shoot', 'capture-file-label', 'capture-retry', 'capture-accept']) {
    $(id).hidden = true;
  }
  feedback('info', '');
  const progress = $('upload-progress');
  progress.value = 0;
  setText($('upload-label'), 'capture.uploading');
  $('upload').hidden = false;
  const delays = [0, 1000, 3000, 6000];
  for (let attempt = 0; attempt < delays.length; attempt++) {
    if (attempt) {
      setText($('upload-label'), 'capture.retrying');
      await sleep(delays[attempt]);
    }
    if (generation !== state.generation) return undefined;
    try {
      await api.upload(`/v1/session/photos/${slot}`, blob, (share) => { progress.value = Math.round(share * 100); });
      $('upload').hidden = true;
      return pollVerdict(slot);
    } catch (err) {
      if (err instanceof NetworkError) continue;
      $('upload').hidden = true;
      if (err.status === 401 || err.status === 409) return handle(err);
      // Refused at once (format, size, resolution): say why and let the person try again.
      feedback('bad', err.message);
      return openCamera(slot);
    }
  }
  // Still offline: keep the photo and let the person send it again when the connection is back.
  $('upload').hidden = true;
  feedback('bad', t('capture.upload_failed'));
  $('capture-retry').hidden = false;
  $('capture-retry').focus();
  return undefined;
}

async function pollVerdict(slot) {
  const generation = state.generation;
  feedback('info', t('capture.checking'));
  const started = Date.now();
  let warned = false;
  for (;;) {
    if (generation !== state.generation) return undefined;
    const asked = Date.now();
    let photo;
    try {
      // The server holds the request until the verdict is stored (at most VERDICT_WAIT_S).
      photo = await api.call('GET', `/v1/session/photos/${slot}?wait=${VERDICT_WAIT_S}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return refresh();
      if (err instanceof NetworkError) {
        await sleep(3000);
        continue;
      }
      return handle(err, () => pollVerdict(slot));
    }
    if (generation !== state.generation) return undefined;
    if (photo.quality.status !== 'pending') return showVerdict(slot, photo);
    if (!warned && Date.now() - started > 20000) {
      warned = true;
      feedback('info', t('capture.still_checking'));
    }
    // Still pending after the wait, or answered at once (a busy server): ask again, at most
    // about once a second.
    await sleep(Math.max(0, 1000 - (Date.now() - asked)));
  }
}

function showVerdict(slot, photo) {
  if (photo.quality.status === 'pass') {
    state.flash = t('capture.accepted');
    return refresh();
  }
  // The refused photo stays in view, marked with its problem, above the advice (said once).
  const message = photo.quality.message || '';
  const preview = $('capture-preview');
  if (preview.src) {
    preview.alt = t('capture.rejected_alt', { slot: t(`slot.${slot}`) });
    setPlain($('capture-problem'), t('capture.rejected', { reasons: reasonNames(photo.quality.reasons) }));
    $('capture-problem').hidden = false;
    $('capture-shot').classList.add('rejected');
    $('capture-shot').hidden = false;
  }
  if (photo.attempt > MAX_RETAKES) {
    feedback('bad', `${message} ${t('capture.retake_last')}`);
    $('capture-accept').hidden = false;
  } else {
    feedback('bad', message);
  }
  return openCamera(slot);
}

function reasonNames(reasons) {
  const names = (reasons || []).map((code) => t(`reason.${code}`)).filter((name) => !name.startsWith('reason.'));
  return names.length ? names.join(', ') : t('reason.other');
}

// ---------------------------------------------------------------- summary and status

function summaryRow(list, termKey, valueText) {
  const dt = document.createElement('dt');
  setText(dt, termKey);
  const dd = document.createElement('dd');
  const value = document.createElement('span');
  value.textContent = valueText;
  dd.append(value);
  list.append(dt, dd);
  return dd;
}

function showSummary(view) {
  const generation = show('summary');
  const list = $('summary-list');
  list.replaceChildren();
  summaryRow(list, 'summary.phone', t('summary.confirmed'));
  summaryRow(list, 'summary.location', t('summary.shared'));
  summaryRow(list, 'summary.document', t(`doctype.${view.steps.document_type}`));
  for (const slot of view.required_slots) {
    const photo = view.photos[slot];
    const ok = photo && photo.quality.status === 'pass';
    const dd = summaryRow(list, `slot.${slot}`, t(ok ? 'summary.photo_ok' : 'summary.photo_flagged'));
    dd.classList.add('photo-row');
    const img = document.createElement('img');
    img.className = 'thumb';
    img.alt = t('summary.photo_alt', { slot: t(`slot.${slot}`) });
    img.hidden = true;
    const retake = document.createElement('button');
    retake.type = 'button';
    retake.className = 'secondary small';
    retake.textContent = t('summary.retake');
    retake.setAttribute('aria-label', t('summary.retake_label', { slot: t(`slot.${slot}`) }));
    retake.addEventListener('click', () => showCapture(view, slot, true));
    dd.prepend(img);
    dd.append(retake);
    loadThumbnail(img, slot, generation);
  }
}

async function loadThumbnail(img, slot, generation) {
  let blob;
  try {
    blob = await api.fetchImage(`/v1/session/photos/${slot}/image`);
  } catch {
    return;  // the words say the same; a thumbnail is a help, not a step
  }
  if (generation !== state.generation) return;
  const url = URL.createObjectURL(blob);
  state.thumbs.push(url);
  img.src = url;
  img.hidden = false;
}

async function onSubmit() {
  const button = $('summary-submit');
  button.disabled = true;
  try {
    await api.call('POST', '/v1/session/submit');
  } catch (err) {
    button.disabled = false;
    return handle(err, onSubmit);
  }
  button.disabled = false;
  return refresh();
}

function showStatus(view) {
  const generation = state.step === 'status' ? state.generation : show('status');
  const key = ['submitted', 'in_review'].includes(view.status) ? 'submitted' : view.status;
  setText($('status-title'), `status.${key}.title`);
  setText($('status-text'), `status.${key}.text`);
  const final = FINAL.includes(view.status);
  setText($('status-note'), final ? 'status.final' : 'status.updates');
  if (final) return;
  setTimeout(async () => {
    if (generation !== state.generation || document.hidden) {
      if (generation === state.generation) document.addEventListener('visibilitychange', refresh, { once: true });
      return;
    }
    try {
      const next = await api.call('GET', '/v1/session');
      if (generation === state.generation) route(next);
    } catch (err) {
      if (generation === state.generation) handle(err, refresh);
    }
  }, 5000);
}

// ---------------------------------------------------------------- events

function wire() {
  $('lang').addEventListener('change', async (event) => {
    store.set(KEY.lang, event.target.value);
    await setLanguage(event.target.value);
    applyStrings(document);
  });
  $('handoff-here').addEventListener('click', () => {
    store.set(KEY.here, '1');
    const pending = store.get(KEY.pending);
    return pending ? openSession(pending) : problem('no_link');
  });
  $('welcome-start').addEventListener('click', () => {
    store.set(KEY.welcomed, '1');
    show('consent');
  });
  $('consent-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const terms = $('consent-terms');
    const biometric = $('consent-biometric');
    clearError('consent-error');
    if (!terms.checked || !biometric.checked) {
      return showError('consent-error', t('consent.required'), terms.checked ? biometric : terms);
    }
    try {
      await api.call('POST', '/v1/session/consent', { json: { terms: true, biometric: true } });
    } catch (err) {
      return handle(err, refresh);
    }
    return refresh();
  });
  $('phone-form').addEventListener('submit', onPhone);
  $('code-form').addEventListener('submit', onCode);
  $('code-resend').addEventListener('click', onResend);
  $('code-change').addEventListener('click', () => {
    store.del(KEY.codeSent);
    showPhone();
  });
  $('location-share').addEventListener('click', onShareLocation);
  for (const button of document.querySelectorAll('[data-doctype]')) {
    button.addEventListener('click', () => onDocumentType(button.dataset.doctype));
  }
  $('capture-shoot').addEventListener('click', onShoot);
  $('capture-file').addEventListener('change', onFile);
  $('capture-retry').addEventListener('click', () => state.blob && sendPhoto(state.blob));
  $('capture-accept').addEventListener('click', refresh);
  $('summary-submit').addEventListener('click', onSubmit);
  window.addEventListener('offline', () => showBanner('net.offline'));
  window.addEventListener('online', () => {
    hideBanner();
    if (state.step === 'problem' && !$('problem-retry').hidden) $('problem-retry').click();
  });
}

start();
