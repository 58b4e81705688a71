// The intake API client: bearer session, localized problems, retries on dropped connections.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.code = problem.code || '';
  }
}

export class NetworkError extends Error {}

const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Api {
  constructor({ onRetry = () => {}, onRecovered = () => {} } = {}) {
    this.sessionToken = null;
    this.lang = 'en';
    this.onRetry = onRetry;
    this.onRecovered = onRecovered;
  }

  headers(extra = {}) {
    const headers = { 'Accept-Language': this.lang, ...extra };
    if (this.sessionToken) headers.Authorization = `Bearer ${this.sessionToken}`;
    return headers;
  }

  // JSON call; network failures and 503s are retried with backoff. Only calls that are safe
  // to repeat set `retry` (reads, and writes whose repetition the server answers sensibly).
  async call(method, path, { json, retry = true } = {}) {
    const init = { method, headers: this.headers(), cache: 'no-store', credentials: 'omit' };
    if (json !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(json);
    }
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await fetch(path, init);
      } catch (err) {
        if (!retry || attempt >= RETRY_DELAYS_MS.length) throw new NetworkError(String(err));
        this.onRetry(attempt);
        await sleep(RETRY_DELAYS_MS[attempt]);
        continue;
      }
      if (response.status === 503 && retry && attempt < RETRY_DELAYS_MS.length) {
        this.onRetry(attempt);
        await sleep(retryAfterMs(response, RETRY_DELAYS_MS[attempt]));
        continue;
      }
      if (attempt > 0) this.onRecovered();
      return parse(response);
    }
  }

  // Raw image upload with progress events (fetch cannot report upload progress).
  upload(path, blob, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('PUT', path);
      for (const [name, value] of Object.entries(this.headers())) xhr.setRequestHeader(name, value);
      xhr.setRequestHeader('Content-Type', blob.type || 'image/jpeg');
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
      xhr.onerror = () => reject(new NetworkError('upload failed'));
      xhr.ontimeout = () => reject(new NetworkError('upload timed out'));
      xhr.onload = () => {
        let body = {};
        try {
          body = JSON.parse(xhr.responseText || '{}');
        } catch {
          body = {};
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body);
        else if (xhr.status === 503) reject(new NetworkError('service unavailable'));
        else reject(new ApiError(xhr.status, body));
      };
      xhr.send(blob);
    });
  }

  async fetchJson(path) {
    const response = await fetch(path);
    if (!response.ok) throw new ApiError(response.status, {});
    return response.json();
  }

  async fetchImage(path) {
    const response = await fetch(path, { headers: this.headers(), cache: 'no-store', credentials: 'omit' });
    if (!response.ok) return parse(response);
    return response.blob();
  }

  async fetchBlob(path, json) {
    const response = await fetch(path, {
      method: 'POST', headers: this.headers({ 'Content-Type': 'application/json' }),
      body: JSON.stringify(json), cache: 'no-store', credentials: 'omit',
    });
    if (!response.ok) return parse(response);
    return response.blob();
  }
}

function retryAfterMs(response, fallback) {
  const seconds = Number(response.headers.get('Retry-After'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) * 1000 : fallback;
}

async function parse(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}
