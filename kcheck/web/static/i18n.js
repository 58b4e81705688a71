// Strings for fr, de, it, en, loaded one language at a time from /verify/i18n/<lang>.json.
export const LANGS = ['fr', 'de', 'it', 'en'];
let strings = {};
let current = 'en';

export function pickLanguage(...candidates) {
  for (const candidate of candidates.flat()) {
    const lang = (candidate || '').slice(0, 2).toLowerCase();
    if (LANGS.includes(lang)) return lang;
  }
  return 'en';
}

export async function loadLanguage(lang, fetchJson) {
  strings = await fetchJson(`/verify/i18n/${lang}.json?v=${document.body.dataset.i18nVersion}`);
  current = lang;
  document.documentElement.lang = lang;
  applyStrings(document);
}

export function language() {
  return current;
}

export function t(key, vars = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

export function applyStrings(root) {
  for (const el of root.querySelectorAll('[data-t]')) {
    el.textContent = t(el.dataset.t, el.dataset.tVars ? JSON.parse(el.dataset.tVars) : {});
  }
}

// Text that follows later language changes: the key is kept on the element.
export function setText(el, key, vars) {
  el.dataset.t = key;
  if (vars) el.dataset.tVars = JSON.stringify(vars);
  else delete el.dataset.tVars;
  el.textContent = t(key, vars);
}

// Text from the server (already localized), or plain text that must not be re-translated.
export function setPlain(el, text) {
  delete el.dataset.t;
  delete el.dataset.tVars;
  el.textContent = text;
}
