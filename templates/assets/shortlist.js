// The shortlist: the providers someone is weighing up, kept in this browser's localStorage only:
// no cookie, and nothing is sent anywhere. Every page loads this script. The "Add to shortlist"
// buttons and the count in the menu are in the page, hidden; this script shows them, so without
// JavaScript (or where the browser refuses to store anything) none of them appears.
// compare.js imports the same functions.

const KEY = "ap-directory-shortlist";
export const MOST = 5; // as many as the compare page shows side by side

export const isSlug = (value) => typeof value === "string" && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(value);

export function canStore() {
  try {
    localStorage.setItem(KEY + "-test", "1");
    localStorage.removeItem(KEY + "-test");
    return true;
  } catch {
    return false;
  }
}

export function readShortlist() {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(value) ? [...new Set(value.filter(isSlug))].slice(0, MOST) : [];
  } catch {
    return [];
  }
}

export function writeShortlist(slugs) {
  try {
    localStorage.setItem(KEY, JSON.stringify(slugs.slice(0, MOST)));
  } catch {
    // Storage full or refused: the page still shows the shortlist as it was.
  }
  refresh();
}

// Adds or removes one provider; returns what to announce.
export function toggle(slug, name) {
  const slugs = readShortlist();
  if (slugs.includes(slug)) {
    writeShortlist(slugs.filter((other) => other !== slug));
    return `${name} removed from your shortlist. ${countText(slugs.length - 1)}`;
  }
  if (slugs.length >= MOST) {
    return `Your shortlist is full: it holds up to ${MOST} providers. Remove one before you add ${name}.`;
  }
  writeShortlist([...slugs, slug]);
  return `${name} added to your shortlist. ${countText(slugs.length + 1)}`;
}

export function countText(count) {
  return `${count} provider${count === 1 ? "" : "s"} on your shortlist.`;
}

let status = null;

// A polite live region, made when the page loads so that screen readers announce later changes.
export function announce(message) {
  if (!status) return;
  status.textContent = "";
  // A fresh text node, so that the same message twice is announced twice.
  requestAnimationFrame(() => { status.textContent = message; });
}

function showButton(button, listed) {
  const name = button.dataset.name;
  const hidden = document.createElement("span");
  hidden.className = "visually-hidden";
  hidden.textContent = `: ${name}`;
  button.replaceChildren(document.createTextNode(listed ? "Remove from shortlist" : "Add to shortlist"), hidden);
  button.classList.toggle("shortlist-button--listed", listed);
  button.hidden = false;
}

export function refresh() {
  const slugs = readShortlist();
  for (const button of document.querySelectorAll("[data-shortlist]")) {
    showButton(button, slugs.includes(button.dataset.shortlist));
  }
  for (const count of document.querySelectorAll("[data-shortlist-count]")) count.textContent = String(slugs.length);
  for (const item of document.querySelectorAll("[data-shortlist-nav]")) item.hidden = false;
}

function start() {
  status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.id = "shortlist-status";
  document.body.append(status);
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-shortlist]");
    if (button) announce(toggle(button.dataset.shortlist, button.dataset.name));
  });
  // Another tab changed the shortlist: show it here too.
  window.addEventListener("storage", (event) => { if (event.key === KEY) refresh(); });
  refresh();
}

if (canStore()) start();
