/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

/** Reads the JSON block the server rendered into the page (`<script type="application/json" id="page-config">`). */
export function pageConfig<T>(): T {
  const el = document.getElementById('page-config')
  if (!el?.textContent) throw new Error('page-config is missing')
  return JSON.parse(el.textContent) as T
}
