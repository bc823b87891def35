// "Find a provider": search, filters and sorting on top of the static list.
//
// Without JavaScript /find/ already lists every provider with its offers, and every filter is a
// link to a static page of the providers that match it. This script swaps those links for
// checkboxes. Filtering happens here, on the values the build wrote into each card (facets.py):
// a provider is shown when it meets every provider filter chosen and one and the same offer meets
// every offer filter chosen; within a group, any chosen value will do. Pagefind (loaded only when
// someone searches) says which providers contain every word typed. The state lives in the address
// (?q=...&need=semh&sort=price), so a search can be shared or bookmarked.

const PAGE_SIZE = 20;
const TYPING_PAUSE_MS = 250;

const find = document.querySelector("[data-find]");
if (find) start();

function start() {
  const $ = (id) => document.getElementById(id);
  const form = $("find-form");
  const input = $("find-q");
  const status = $("find-status");
  const none = $("find-none");
  const suggestion = $("find-suggestion");
  const suggestionLink = $("find-suggestion-link");
  const clearSearch = $("find-clear-search");
  const selected = $("find-selected");
  const clearRow = $("find-clear-row");
  const clear = $("find-clear");
  const list = $("find-results");
  const more = $("find-more");
  const show = $("find-show");
  const sortSelect = $("find-sort");
  const sortBest = $("find-sort-best");
  const sortNote = $("find-sort-note");
  const filtersHeading = $("filters-heading");
  const resultsHeading = $("results-heading");
  const groups = [...document.querySelectorAll("[data-filter-group]")];
  const keys = groups.map((group) => group.dataset.filterGroup);
  const scopes = Object.fromEntries(groups.map((group) => [group.dataset.filterGroup, group.dataset.scope]));
  const boxes = [...document.querySelectorAll("[data-filter-options] input[type=checkbox]")];
  const cards = [...list.children].map(readCard); // A to Z, as the page came
  const cardAt = new Map(cards.map((card) => [card.slug, card]));
  const pageTitle = document.title;

  let pagefind = null;
  let latest = 0; // the newest update wins; an older one that finishes late changes nothing
  let paging = null; // best-match results still to show: { results, shown }
  let typing = 0;
  let sortChosen = false; // until someone chooses, a search sorts by best match and a list A to Z

  for (const el of document.querySelectorAll("[data-filter-links]")) el.hidden = true;
  for (const el of document.querySelectorAll("[data-filter-options]")) el.hidden = false;

  function readCard(el, index) {
    const number = (text) => (text === undefined ? null : Number(text));
    return {
      el,
      index,
      slug: el.dataset.card,
      name: el.querySelector(".card__title a").textContent,
      filters: JSON.parse(el.dataset.filters),
      checked: el.dataset.checked,
      label: el.querySelector("[data-offers-label]"),
      excerpt: el.querySelector("[data-excerpt]"),
      offers: [...el.querySelectorAll("[data-offer]")].map((offer) => ({
        el: offer,
        filters: JSON.parse(offer.dataset.filters),
        vacancies: number(offer.dataset.vacancies),
        hourly: number(offer.dataset.hourly),
      })),
    };
  }

  // --- the offer rule ------------------------------------------------------------------------

  const meets = (values, wanted) => (values ?? []).some((value) => wanted.has(value));

  // The offers of `card` that meet every chosen offer filter, or none if the card fails a chosen
  // provider filter. `skip` leaves one group out, to count what choosing in it would give.
  function matchedOffers(card, chosen, skip = null) {
    for (const [key, wanted] of chosen) {
      if (key !== skip && scopes[key] === "provider" && !meets(card.filters[key], wanted)) return [];
    }
    return card.offers.filter((offer) => {
      for (const [key, wanted] of chosen) {
        if (key !== skip && scopes[key] === "offer" && !meets(offer.filters[key], wanted)) return false;
      }
      return true;
    });
  }

  // For each group and value: how many of `pool` would be listed with that value as the group's
  // choice, together with the choices in the other groups.
  function optionCounts(pool, chosen) {
    const counts = {};
    for (const key of keys) {
      const count = (counts[key] = {});
      for (const card of pool) {
        const offers = matchedOffers(card, chosen, key);
        if (offers.length === 0) continue;
        const values = scopes[key] === "provider" ? card.filters[key] ?? []
          : new Set(offers.flatMap((offer) => offer.filters[key] ?? []));
        for (const value of values) count[value] = (count[value] ?? 0) + 1;
      }
    }
    return counts;
  }

  // --- sorting -------------------------------------------------------------------------------

  const sum = (values) => values.reduce((total, value) => total + value, 0);
  const SORTS = {
    name: { key: () => 0 },
    vacancies: {
      key: (found) => {
        const known = found.offers.filter((offer) => offer.vacancies !== null);
        return known.length ? -sum(known.map((offer) => offer.vacancies)) : null;
      },
      note: (missing) => (missing ? `${plural(missing, "provider")} without vacancies given for these offers `
        + `${missing === 1 ? "is" : "are"} listed after the others, from A to Z.` : ""),
    },
    checked: { key: (found) => -Date.parse(found.card.checked) },
    price: {
      key: (found) => {
        const known = found.offers.map((offer) => offer.hourly).filter((hourly) => hourly !== null);
        return known.length ? Math.min(...known) : null;
      },
      note: (missing) => "Price per hour is the hourly price, or the weekly price divided by the hours a week. "
        + (missing ? `${plural(missing, "provider")} whose price is by the session, day or term, or not given, `
          + `${missing === 1 ? "is" : "are"} listed after the others, from A to Z.` : ""),
    },
  };

  function sorted(found, sort) {
    const by = SORTS[sort] ?? SORTS.name;
    const keyed = found.map((item) => ({ item, key: by.key(item) }));
    keyed.sort((a, b) => (a.key === null) - (b.key === null) || (a.key ?? 0) - (b.key ?? 0)
      || a.item.card.index - b.item.card.index);
    const missing = keyed.filter((entry) => entry.key === null).length;
    sortNote.textContent = by.note ? by.note(missing) : "";
    sortNote.hidden = !sortNote.textContent;
    return keyed.map((entry) => entry.item);
  }

  // --- search words --------------------------------------------------------------------------

  function loadPagefind() {
    // The index comes in parts (pagefind/parts.json) so that building it needs bounded memory;
    // the first part's Pagefind merges the others, and a search covers them all.
    const folder = new URL("../pagefind/", import.meta.url);
    pagefind ??= fetch(new URL("parts.json", folder)).then((reply) => (reply.ok ? reply.json() : Promise.reject(new Error(`parts.json: ${reply.status}`)))).then(async ([first, ...others]) => {
      const pf = await import(new URL(`${first}/pagefind.js`, folder).href);
      await pf.options({ excerptLength: 20 });
      for (const part of others) await pf.mergeIndex(new URL(`${part}/`, folder).href);
      await pf.init();
      await pf.filters(); // the one filter names each provider: a search's counts say which it found
      return pf;
    }).catch((error) => {
      pagefind = null; // try again next time
      throw error;
    });
    return pagefind;
  }

  // Does a result's excerpt mark a word that starts with `word`? Pagefind, finding no word that
  // starts with what was typed, tries shorter and shorter beginnings of it ("forest" finds "for").
  const begins = (excerpt, word) => [...(excerpt ?? "").matchAll(/<mark>(.*?)<\/mark>/g)]
    .some((mark) => mark[1].toLowerCase().replace(/^\W+/, "").startsWith(word.toLowerCase()));

  // Every word must be found: as a whole word (Pagefind's quotes, which still allow "schools" to
  // find "school"), or as the beginning of one, for a word still being typed.
  async function searchWords(pf, q) {
    const words = q.replace(/["“”-]/g, " ").split(/\s+/).filter(Boolean);
    const parts = [];
    const missing = [];
    for (const word of words) {
      if ((await pf.search(`"${word}"`)).results.length) {
        parts.push(`"${word}"`);
        continue;
      }
      const loose = await pf.search(word);
      const first = loose.results[0] && (await loose.results[0].data());
      if (first && begins(first.excerpt, word)) parts.push(word);
      else missing.push(word);
    }
    if (missing.length || parts.length === 0) return { term: null, slugs: new Set(), results: [] };
    const term = parts.join(" ");
    const found = await pf.search(term);
    const counts = found.filters?.provider ?? {};
    return { term, slugs: new Set(Object.keys(counts).filter((slug) => counts[slug] > 0)), results: found.results };
  }

  // "Kestral" -> Kestrel Learning Centre: the name whose words are each within a few letters of a
  // word typed. Names are few enough to compare here, in the browser.
  function nearestName(q) {
    const words = simple(q).split(" ").filter(Boolean);
    let best = null;
    let bestScore = Infinity;
    for (const card of cards) {
      const nameWords = simple(card.name).split(" ");
      let score = 0;
      for (const word of words) {
        const nearest = Math.min(...nameWords.map((name) => editDistance(word, name)));
        score += nearest > Math.max(1, Math.floor(word.length / 4)) ? Infinity : nearest;
      }
      if (score > 0 && score < bestScore) [best, bestScore] = [card, score];
    }
    return best;
  }

  const simple = (text) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();

  function editDistance(a, b) { // Levenshtein, with a swap of two letters counted as one edit
    const rows = [...Array(a.length + 1)].map((_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) rows[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
        }
      }
    }
    return rows[a.length][b.length];
  }

  // --- state ---------------------------------------------------------------------------------

  function readState() {
    const filters = new Map();
    for (const box of boxes) {
      if (!box.checked) continue;
      if (!filters.has(box.name)) filters.set(box.name, new Set());
      filters.get(box.name).add(box.value);
    }
    const q = input.value.trim();
    if (!sortChosen || (sortSelect.value === "best" && !q)) sortSelect.value = q ? "best" : "name";
    return { q, filters, sort: sortSelect.value };
  }

  function address(state, changes = {}) {
    const { q, filters, sort } = { ...state, ...changes };
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    for (const key of keys) for (const value of filters.get(key) ?? []) params.append(key, value);
    if (sort !== (q ? "best" : "name")) params.set("sort", sort);
    const query = params.toString();
    return query ? `?${query}` : location.pathname;
  }

  function showState(state) {
    history.replaceState(null, "", address(state));
    sortBest.hidden = sortBest.disabled = !state.q;
    const labels = boxes.filter((box) => box.checked).map((box) => box.dataset.label);
    selected.hidden = labels.length === 0;
    selected.textContent = labels.length ? `Filtered by: ${labels.join("; ")}` : "";
    clearRow.hidden = labels.length === 0;
    for (const group of groups) {
      const chosen = state.filters.get(group.dataset.filterGroup)?.size ?? 0;
      group.querySelector("[data-chosen]").textContent = chosen ? `(${chosen} chosen)` : "";
    }
  }

  const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;

  function announce(state, count, wordsFound) {
    const filters = [...state.filters.values()].reduce((total, values) => total + values.size, 0);
    const searched = state.q ? ` for “${state.q}”` : "";
    const filtered = filters ? ` with ${plural(filters, "filter")}` : "";
    if (state.q && !wordsFound) status.textContent = `No providers match “${state.q}”.`;
    else if (count === 0) status.textContent = `No providers found${searched}${filtered}. Try removing some filters.`;
    else if (state.q || filters) status.textContent = `${plural(count, "provider")} found${searched}${filtered}`;
    else status.textContent = plural(count, "provider");
    show.textContent = `Show ${plural(count, "result")}`;
    document.title = titled(state, count);

    none.hidden = !(state.q && count === 0);
    clearSearch.href = address(state, { q: "" });
    const near = none.hidden ? null : nearestName(state.q);
    suggestion.hidden = !near;
    if (near) {
      suggestionLink.textContent = near.name;
      suggestionLink.href = address(state, { q: near.name });
    }
  }

  // The window's title says what was searched and filtered, so a tab, a bookmark or the history
  // tells one search from another: "“forest school”, Key stage 3: 2 providers - Find a provider - …".
  function titled(state, count) {
    const chosen = boxes.filter((box) => box.checked).map((box) => box.dataset.label);
    const asked = [...(state.q ? [`“${state.q}”`] : []), ...chosen];
    if (!asked.length) return pageTitle;
    return `${asked.join(", ")}: ${count ? plural(count, "provider") : "no providers"} - ${pageTitle}`;
  }

  function setCounts(counts) {
    for (const box of boxes) {
      box.labels[0].querySelector("[data-count]").textContent = `(${counts[box.name]?.[box.value] ?? 0})`;
    }
  }

  // --- showing results -----------------------------------------------------------------------

  function place(found, excerpt = null) {
    const { card, offers } = found;
    const every = offers.length === card.offers.length;
    for (const offer of card.offers) offer.el.hidden = !offers.includes(offer);
    card.label.textContent = every ? "Offers" : "Offers that match";
    card.excerpt.hidden = !excerpt;
    const quoted = excerpt ? [text("Matches: “"), ...excerptNodes(excerpt), text("…”")] : [];
    card.excerpt.replaceChildren(...quoted);
    card.el.hidden = false;
    list.append(card.el);
  }

  const text = (words) => document.createTextNode(words);

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

  // Best match: the search's own order, a page at a time (each result's excerpt is a request).
  async function showMore(run) {
    const { results, matched } = paging;
    let first = null;
    let shown = 0;
    while (paging.next < results.length && shown < PAGE_SIZE) {
      const batch = results.slice(paging.next, paging.next + PAGE_SIZE - shown);
      paging.next += batch.length;
      const data = await Promise.all(batch.map((result) => result.data()));
      if (run !== latest) return null;
      for (const item of data) {
        const slug = new URL(item.url, location.href).pathname.split("/").filter(Boolean).pop();
        const found = matched.get(cardAt.get(slug));
        if (!found) continue;
        place(found, item.excerpt);
        first ??= found.card;
        shown += 1;
      }
    }
    more.hidden = paging.next >= results.length;
    return first;
  }

  // aria-busy on the list while results are on their way (tests wait for it to go, too).
  const busy = (on) => (on ? list.setAttribute("aria-busy", "true") : list.removeAttribute("aria-busy"));

  async function update() {
    const run = ++latest;
    busy(true);
    const state = readState();
    showState(state);
    let words = null;
    let failed = false;
    if (state.q) {
      try {
        words = await searchWords(await loadPagefind(), state.q);
      } catch (error) {
        console.error("Search is not available:", error);
        failed = true;
      }
      if (run !== latest) return;
    }
    const pool = words ? cards.filter((card) => words.slugs.has(card.slug)) : cards;
    const matched = new Map();
    for (const card of pool) {
      const offers = matchedOffers(card, state.filters);
      if (offers.length) matched.set(card, { card, offers });
    }
    for (const card of cards) card.el.hidden = true;
    paging = null;
    more.hidden = true;
    if (state.sort === "best" && words) {
      sortNote.hidden = true;
      paging = { results: words.results, matched, next: 0 };
      await showMore(run);
      if (run !== latest) return;
    } else {
      for (const found of sorted([...matched.values()], state.sort)) place(found);
    }
    setCounts(optionCounts(pool, state.filters));
    announce(state, matched.size, !words || words.term !== null);
    if (failed) {
      none.hidden = true;
      status.textContent = `Searching for words is not working at the moment, so “${state.q}” was not looked for. `
        + `The list shows the ${plural(matched.size, "provider")} that the filters match.`;
    }
    busy(false);
  }

  function fromAddress() {
    const params = new URLSearchParams(location.search);
    input.value = params.get("q") ?? "";
    for (const box of boxes) box.checked = params.getAll(box.name).includes(box.value);
    for (const group of groups) {
      if (params.has(group.dataset.filterGroup)) group.open = true;
    }
    const sort = params.get("sort");
    sortChosen = sort === "best" || sort in SORTS;
    if (sortChosen) sortSelect.value = sort;
  }

  function toResults(event) {
    event.preventDefault();
    resultsHeading.scrollIntoView();
    resultsHeading.focus();
  }

  input.addEventListener("input", () => {
    busy(true);
    clearTimeout(typing);
    typing = setTimeout(update, TYPING_PAUSE_MS);
  });
  input.addEventListener("focus", () => loadPagefind().catch(() => {}), { once: true });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typing);
    update();
  });
  for (const box of boxes) box.addEventListener("change", update);
  sortSelect.addEventListener("change", () => {
    sortChosen = true;
    update();
  });
  clear.addEventListener("click", (event) => {
    event.preventDefault();
    for (const box of boxes) box.checked = false;
    update();
    filtersHeading.focus();
  });
  show.addEventListener("click", toResults);
  $("find-skip").addEventListener("click", toResults);
  more.addEventListener("click", async () => {
    const first = await showMore(latest);
    first?.el.querySelector("a").focus();
  });
  window.addEventListener("popstate", () => {
    fromAddress();
    update();
  });

  fromAddress();
  const initial = readState();
  if (initial.q || initial.filters.size || initial.sort !== "name") update();
}
