// "Find a provider": search and filters on top of the static list, with Pagefind.
//
// Without JavaScript /find/ already lists every provider with its facts, and every filter is a
// link to a static page of the providers that match it. This script swaps those links for
// checkboxes and asks Pagefind (loaded only when someone searches or filters) which providers
// match: OR within a group, AND across groups. The state lives in the address (?q=...&need=semh),
// so a search can be shared or bookmarked. Pagefind's results are only used to pick and order
// the cards already on the page, so what a result shows is exactly what the static list shows.

const PAGE_SIZE = 20;
const TYPING_PAUSE_MS = 250;

const find = document.querySelector("[data-find]");
if (find) start();

function start() {
  const form = document.getElementById("find-form");
  const input = document.getElementById("find-q");
  const status = document.getElementById("find-status");
  const selected = document.getElementById("find-selected");
  const clearRow = document.getElementById("find-clear-row");
  const clear = document.getElementById("find-clear");
  const list = document.getElementById("find-results");
  const more = document.getElementById("find-more");
  const filtersHeading = document.getElementById("filters-heading");
  const groups = [...document.querySelectorAll("[data-filter-group]")];
  const keys = groups.map((group) => group.dataset.filterGroup);
  const boxes = [...document.querySelectorAll("[data-filter-options] input[type=checkbox]")];
  const cards = [...list.children]; // A to Z, as the page came
  const cardAt = new Map(cards.map((card) => [new URL(card.querySelector("a").href).pathname, card]));

  let pagefind = null;
  let latest = 0; // the newest update wins; an older one that finishes late changes nothing
  let current = { results: [], shown: 0, term: null };
  let typing = 0;

  const showLinks = (links) => {
    for (const el of document.querySelectorAll("[data-filter-links]")) el.hidden = !links;
    for (const el of document.querySelectorAll("[data-filter-options]")) el.hidden = links;
  };
  showLinks(false);

  function loadPagefind() {
    pagefind ??= import(new URL("../pagefind/pagefind.js", import.meta.url).href).then(async (pf) => {
      await pf.options({ excerptLength: 20 });
      await pf.init();
      await pf.filters(); // loads every filter group, so the counts cover groups not yet chosen
      return pf;
    }).catch((error) => {
      pagefind = null; // try again next time
      throw error;
    });
    return pagefind;
  }

  function readState() {
    const filters = {};
    for (const box of boxes) {
      if (box.checked) (filters[box.name] ??= []).push(box.value);
    }
    return { q: input.value.trim(), filters };
  }

  function showState(state) {
    const params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    for (const key of keys) for (const value of state.filters[key] ?? []) params.append(key, value);
    const query = params.toString();
    history.replaceState(null, "", query ? `?${query}` : location.pathname);

    const labels = boxes.filter((box) => box.checked).map((box) => box.dataset.label);
    selected.hidden = labels.length === 0;
    selected.textContent = labels.length ? `Filtered by: ${labels.join("; ")}` : "";
    clearRow.hidden = labels.length === 0;
    for (const group of groups) {
      const chosen = (state.filters[group.dataset.filterGroup] ?? []).length;
      group.querySelector("[data-chosen]").textContent = chosen ? `(${chosen} chosen)` : "";
    }
  }

  function announce(state, count) {
    const filters = Object.values(state.filters).flat().length;
    const what = `${count} provider${count === 1 ? "" : "s"}`;
    const searched = state.q ? ` for “${state.q}”` : "";
    const filtered = filters ? ` with ${filters} filter${filters === 1 ? "" : "s"}` : "";
    status.textContent = count === 0 && (state.q || filters)
      ? `No providers found${searched}${filtered}. Check the spelling, search for something else or clear some filters.`
      : state.q || filters ? `${what} found${searched}${filtered}` : what;
  }

  function setCounts(counts) {
    for (const box of boxes) {
      const count = counts?.[box.name]?.[box.value] ?? (counts ? 0 : Number(box.dataset.total));
      box.labels[0].querySelector("[data-count]").textContent = `(${count})`;
    }
  }

  function excerptNodes(html) {
    // Pagefind marks the matched words with <mark> and escapes the text; build nodes, never HTML.
    const decode = (text) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
    return html.split(/(<mark>.*?<\/mark>)/).filter(Boolean).map((part) => {
      const marked = part.match(/^<mark>(.*)<\/mark>$/);
      if (!marked) return document.createTextNode(decode(part));
      const mark = document.createElement("mark");
      mark.textContent = decode(marked[1]);
      return mark;
    });
  }

  function place(card, data, term) {
    const excerpt = card.querySelector("[data-excerpt]");
    excerpt.hidden = !(term && data?.excerpt);
    excerpt.replaceChildren(...(term && data?.excerpt ? [document.createTextNode("Matches: “"), ...excerptNodes(data.excerpt), document.createTextNode("…”")] : []));
    card.hidden = false;
    list.append(card);
  }

  async function showMore(run) {
    const { results, term } = current;
    const next = results.slice(current.shown, current.shown + PAGE_SIZE);
    const found = await Promise.all(next.map((result) => result.data()));
    if (run !== latest) return null;
    let first = null;
    for (const data of found) {
      const card = cardAt.get(new URL(data.url, location.href).pathname);
      if (!card) continue;
      place(card, data, term);
      first ??= card;
    }
    current.shown += next.length;
    more.hidden = current.shown >= results.length;
    return first;
  }

  // aria-busy on the list while results are on their way (tests wait for it to go, too).
  const busy = (on) => (on ? list.setAttribute("aria-busy", "true") : list.removeAttribute("aria-busy"));

  async function update() {
    const run = ++latest;
    busy(true);
    const state = readState();
    showState(state);
    const filterKeys = Object.keys(state.filters);
    if (!state.q && filterKeys.length === 0) {
      for (const card of cards) place(card, null, null);
      more.hidden = true;
      current = { results: [], shown: 0, term: null };
      setCounts(null);
      announce(state, cards.length);
      busy(false);
      return;
    }
    try {
      await search(run, state, filterKeys);
    } catch (error) {
      if (run === latest) broken(error);
    }
    if (run === latest) busy(false);
  }

  async function search(run, state, filterKeys) {
    const pf = await loadPagefind();
    const term = state.q || null;
    const anyOf = (keysToUse) => Object.fromEntries(keysToUse.map((key) => [key, { any: state.filters[key] }]));
    const found = await pf.search(term, term ? { filters: anyOf(filterKeys) }
      : { filters: anyOf(filterKeys), sort: { name: "asc" } });
    // Counts: how many providers each choice would give, with the other groups' choices applied.
    const counts = {};
    for (const key of keys) {
      if (!state.filters[key]) {
        counts[key] = found.filters?.[key] ?? {};
        continue;
      }
      const others = filterKeys.filter((other) => other !== key);
      if (!term && others.length === 0) {
        counts[key] = Object.fromEntries(boxes.filter((box) => box.name === key)
          .map((box) => [box.value, Number(box.dataset.total)]));
      } else {
        counts[key] = (await pf.search(term, { filters: anyOf(others) })).filters?.[key] ?? {};
      }
    }
    if (run !== latest) return;
    for (const card of cards) card.hidden = true;
    current = { results: found.results, shown: 0, term };
    await showMore(run);
    if (run !== latest) return;
    setCounts(counts);
    announce(state, found.results.length);
  }

  function broken(error) {
    console.error("Search is not available:", error);
    showLinks(true);
    for (const card of cards) place(card, null, null);
    more.hidden = true;
    status.textContent = "Search is not working at the moment. Every provider is listed below, and the filters are links to lists of the providers that match.";
  }

  function fromAddress() {
    const params = new URLSearchParams(location.search);
    input.value = params.get("q") ?? "";
    for (const box of boxes) box.checked = params.getAll(box.name).includes(box.value);
    for (const group of groups) {
      if (params.has(group.dataset.filterGroup)) group.open = true;
    }
  }

  input.addEventListener("input", () => {
    busy(true);
    clearTimeout(typing);
    typing = setTimeout(update, TYPING_PAUSE_MS);
  });
  input.addEventListener("focus", () => loadPagefind().catch(() => {}), { once: true });
  for (const group of groups) group.addEventListener("toggle", () => loadPagefind().catch(() => {}), { once: true });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typing);
    update();
  });
  for (const box of boxes) box.addEventListener("change", update);
  clear.addEventListener("click", (event) => {
    event.preventDefault();
    for (const box of boxes) box.checked = false;
    update();
    filtersHeading.focus();
  });
  more.addEventListener("click", async () => {
    const first = await showMore(latest);
    first?.querySelector("a").focus();
  });
  window.addEventListener("popstate", () => {
    fromAddress();
    update();
  });

  fromAddress();
  const initial = readState();
  if (initial.q || Object.keys(initial.filters).length) update();
}
