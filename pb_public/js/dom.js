// Tiny DOM helpers. Every piece of server text goes in through text nodes or
// attributes set one by one, never through innerHTML, so no data can inject
// markup into the page.

/**
 * h creates an element. attrs: class, text, on{Event} handlers, dataset
 * ({key: value}), boolean attributes (true / false / null to omit) and any
 * other attribute as a string. Children: nodes, strings (as text), arrays,
 * and null / undefined / false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'value' || key === 'checked' || key === 'selected') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** append adds children (nodes, strings, nested arrays) to el, skipping empty ones. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** clear removes every child of el and appends the given ones. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** option builds an <option>, selected when value equals current. */
export function option(value, label, current) {
  return h('option', { value, selected: String(value) === String(current ?? '') }, label);
}

/** debounce delays fn until calls stop for ms. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** isTyping reports whether a key event comes from a text control, where letter shortcuts must not fire. */
export function isTyping(event) {
  const el = event.target;
  if (!(el instanceof HTMLElement)) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}
