// The compare page: the providers named in the address (?p=slug1,slug2), or else those on the
// shortlist, side by side in one table, from the small file the build writes for each provider
// (data/providers/<slug>.json, the same record as in providers.json). Then, for the printed pack,
// each provider's own page, fetched from this site and put below the table for printing only.
//
// Text from the data is always put in with textContent; the only HTML taken in is the provider
// pages the build wrote (and sanitised), parsed with DOMParser, which runs no scripts.

import { MOST, announce as announceShortlist, canStore, countText, isSlug, readShortlist, writeShortlist } from "./shortlist.js";

const compare = document.querySelector("[data-compare]");

function start() {
  const $ = (id) => document.getElementById(id);
  const labels = JSON.parse(compare.dataset.labels);
  DAY_NAMES = labels.days;
  PER = labels.per;
  const root = compare.dataset.root;
  const table = $("compare-table");
  const scroll = $("compare-scroll");
  const differ = $("compare-differ");
  const status = $("compare-status");
  const records = new Map(); // slug -> record, or null when there is no such provider
  const pages = new Map(); // slug -> promise of the provider page's <main>, for the pack

  let state = fromAddress();
  const storing = canStore(); // where the browser stores nothing, there is no shortlist to save to
  compare.hidden = false;

  $("compare-copy").addEventListener("click", copyLink);
  $("compare-print").addEventListener("click", async () => {
    await packReady();
    window.print();
  });
  $("compare-save").addEventListener("click", () => {
    writeShortlist(state.slugs);
    state = { ...state, fromLink: false };
    say(`These providers are now your shortlist. ${countText(state.slugs.length)}`);
    show().then(() => $("compare-copy").focus()); // the button is gone: focus stays among its neighbours
  });
  $("compare-clear").addEventListener("click", () => {
    writeShortlist([]);
    state = { slugs: [], fromLink: false, missing: [], tooMany: 0 };
    say("Your shortlist is cleared.");
    show().then(() => $("compare-empty").focus());
  });
  differ.addEventListener("change", showDifferences);
  window.addEventListener("beforeprint", datePack);
  show();

  // The providers to compare: those the address names, else the shortlist.
  function fromAddress() {
    const named = new URLSearchParams(location.search).get("p");
    if (named === null) return { slugs: readShortlist(), fromLink: false, missing: [], tooMany: 0 };
    const asked = [...new Set(named.split(",").map((slug) => slug.trim().toLowerCase()).filter(Boolean))];
    const slugs = asked.filter(isSlug);
    return { slugs: slugs.slice(0, MOST), fromLink: true, missing: asked.filter((slug) => !isSlug(slug)),
             tooMany: Math.max(0, slugs.length - MOST) };
  }

  async function show() {
    await Promise.all(state.slugs.map(load));
    const found = state.slugs.filter((slug) => records.get(slug));
    const missing = [...state.missing, ...state.slugs.filter((slug) => !records.get(slug))];
    state = { ...state, slugs: found, missing };
    const address = found.length ? `?p=${found.join(",")}` : location.pathname;
    history.replaceState(null, "", address);
    showProblems();
    $("compare-empty").hidden = found.length > 0;
    $("compare-tools").hidden = found.length === 0;
    $("compare-differ-row").hidden = found.length < 2;
    const listed = readShortlist();
    $("compare-save").hidden = !storing || !found.length || sameList(found, listed);
    $("compare-save").textContent = listed.length ? "Replace my shortlist with these" : "Save these as my shortlist";
    $("compare-clear").hidden = listed.length === 0;
    scroll.hidden = found.length === 0;
    if (found.length) drawTable(found.map((slug) => records.get(slug)));
    say(found.length ? `Comparing ${found.length} provider${found.length === 1 ? "" : "s"}.` : "");
    datePack();
    drawPack(found);
  }

  async function load(slug) {
    if (records.has(slug)) return;
    try {
      const response = await fetch(`${root}data/providers/${slug}.json`);
      records.set(slug, response.ok ? await response.json() : null);
    } catch {
      records.set(slug, null);
    }
  }

  const sameList = (a, b) => a.length === b.length && a.every((slug) => b.includes(slug));

  function say(message) {
    status.textContent = message;
  }

  function showProblems() {
    const missing = $("compare-missing");
    const tooMany = $("compare-too-many");
    const names = state.missing.slice(0, MOST).map((slug) => `“${slug.slice(0, 80)}”`);
    missing.hidden = !state.missing.length;
    missing.textContent = state.missing.length
      ? `The link names ${state.missing.length === 1 ? "a provider" : state.missing.length + " providers"} this directory does not list: ${joinWords(names)}. ` +
        "The provider may have left the framework, or the link may have been copied only in part."
      : "";
    tooMany.hidden = !state.tooMany;
    tooMany.textContent = state.tooMany
      ? `The link names more than ${MOST} providers. Only the first ${MOST} are compared: ${MOST} fit side by side on a page.`
      : "";
    $("compare-problems").hidden = missing.hidden && tooMany.hidden;
  }

  // --- the table -----------------------------------------------------------------------------

  function drawTable(providers) {
    const caption = $("compare-caption");
    caption.textContent = `Comparing ${joinWords(providers.map((p) => p.name))}`;
    const head = document.createElement("thead");
    const headRow = row();
    headRow.append(cell("td"));
    for (const p of providers) headRow.append(providerHeading(p));
    head.append(headRow);
    const bodies = groups(providers).map(([title, rows]) => groupBody(title, rows, providers.length));
    table.replaceChildren(caption, head, ...bodies);
    showDifferences();
  }

  function providerHeading(p) {
    const th = cell("th");
    th.scope = "col";
    const link = document.createElement("a");
    link.href = `${root}providers/${p.slug}/`;
    link.textContent = p.name;
    th.append(link);
    if (p.status === "paused") th.append(tag("Not taking referrals", "tag tag--paused"));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button button--secondary compare__remove";
    remove.append("Remove", hiddenText(` ${p.name}`));
    remove.addEventListener("click", () => removeProvider(p));
    th.append(remove);
    return th;
  }

  function removeProvider(p) {
    state = { ...state, slugs: state.slugs.filter((slug) => slug !== p.slug) };
    const listed = readShortlist();
    if (listed.includes(p.slug)) {
      writeShortlist(listed.filter((slug) => slug !== p.slug));
      announceShortlist(`${p.name} removed from your shortlist. ${countText(listed.length - 1)}`);
    }
    // The button is gone with its column: focus goes to the table, or to the page if it is empty.
    show().then(() => {
      say(`${p.name} removed. ${status.textContent}`);
      (scroll.hidden ? document.getElementById("main-content") : scroll).focus();
    });
  }

  function groupBody(title, rows, columns) {
    const body = document.createElement("tbody");
    const heading = row("compare__group");
    const th = cell("th");
    th.scope = "rowgroup";
    th.colSpan = columns + 1;
    th.textContent = title;
    heading.append(th);
    body.append(heading);
    for (const [label, values] of rows) body.append(valueRow(label, values));
    return body;
  }

  function valueRow(label, values) {
    const texts = values.map((parts) => parts.map((part) => part.text ?? part).join(" "));
    const differs = new Set(texts).size > 1;
    const tr = row(differs ? "compare__row compare__row--differs" : "compare__row");
    const th = cell("th");
    th.scope = "row";
    th.append(label);
    if (differs) th.append(" ", tag("Differs", "tag tag--differs"));
    tr.append(th);
    for (const parts of values) {
      const td = cell("td");
      parts.forEach((part, index) => {
        if (index) td.append(document.createElement("br"));
        td.append(part.href ? linkTo(part) : part);
      });
      tr.append(td);
    }
    return tr;
  }

  function showDifferences() {
    const only = differ.checked && !$("compare-differ-row").hidden;
    for (const tr of table.querySelectorAll(".compare__row")) {
      tr.hidden = only && !tr.classList.contains("compare__row--differs");
    }
    for (const body of table.tBodies) {
      body.hidden = only && !body.querySelector(".compare__row--differs");
    }
  }

  // The rows, group by group: [title, [[label, [cell parts for each provider]]]].
  function groups(providers) {
    const each = (fn) => providers.map((p) => [].concat(fn(p)));
    const vocab = labels.vocabularies;
    const lotNumbers = [...new Set(providers.flatMap((p) => p.lots.map((offer) => offer.lot)))].sort((a, b) => a - b);
    const result = [
      ["The provider", [
        ["Taking referrals", each((p) => (p.status === "paused" ? "No, not at the moment" : "Yes"))],
        ["Areas", each((p) => joinWords(unique(p.locations.map((place) => vocab.areas[place.area]))))],
        ["Step-free access", each((p) => p.locations.map((place) => `${place.name}: ${stepFree(place.step_free_access)}`))],
        ["Needs they can meet", each((p) => p.needs.map((code) => `${vocab.needs[code]} (${code})`))],
        ["Reasons for placement", each((p) => p.reasons.map((code) => vocab.reasons[code]))],
      ]],
      ["Registration and inspection", [
        ["Registration", each((p) => labels.registration[p.registration.type])],
        ["DfE URN (unique reference number)", each((p) => p.registration.dfe_urn || "None")],
        ["Ofsted report", each((p) => (p.registration.ofsted_report
          ? { text: "Ofsted report", hidden: ` for ${p.name}`, href: p.registration.ofsted_report, away: true }
          : "None"))],
        ["Last inspected by Ofsted", each((p) => dateText(p.registration.last_inspected) || "Not inspected")],
        ["Last quality-assurance visit by the council", each((p) => dateText(p.quality_assured) || "None recorded")],
      ]],
      ...checkGroups(providers, each),
      ...lotNumbers.map((number) => lotGroup(number, providers)),
      ["Contacts and this entry", [
        ["Referrals", each((p) => contactParts(p.contact.referrals))],
        ["Designated safeguarding lead", each((p) => contactParts(p.contact.safeguarding_lead))],
        ["Last checked by the council", each((p) => dateText(p.last_reviewed))],
      ]],
    ];
    return result;
  }

  // The council's own checks, each with its date, and how the provider reports attendance, from
  // each record: its label and whether it is due are the build's, as on the provider's page.
  function checkGroups(providers, each) {
    const names = [...new Set(providers.flatMap((p) => Object.keys(p.checks || {})))];
    const label = (name) => providers.map((p) => p.checks?.[name]?.label).find(Boolean);
    const rows = names.map((name) => [label(name), each((p) => checkText((p.checks || {})[name]))]);
    if (providers.some((p) => p.attendance_reporting)) {
      rows.push(["How the provider reports attendance", each((p) => p.attendance_reporting || "Not recorded")]);
    }
    return rows.length ? [["Checks the council has made", rows]] : [];
  }

  function checkText(check) {
    if (!check || !check.date) return "Not recorded";
    return check.due ? `${dateText(check.date)} (due to be checked again)` : dateText(check.date);
  }

  function lotGroup(number, providers) {
    const offers = providers.map((p) => p.lots.find((offer) => offer.lot === number));
    const each = (fn, none = "None") => offers.map((offer) => [offer ? (fn(offer) ?? none) : "Not on this lot"]);
    const vocab = labels.vocabularies;
    return [`Lot ${number}: ${labels.lots[number]}`, [
      ["How it is taught", each((o) => labels.mode[o.mode])],
      ["Ages", each((o) => `${o.ages.min} to ${o.ages.max}`)],
      ["Key stages", each((o) => joinWords(o.key_stages))],
      ["Days", each((o) => daysText(o.days))],
      ["Hours", each((o) => hoursText(o.hours_per_week))],
      ["Price", each((o) => (o.price ? priceText(o.price, o.hours_per_week) : null), "Not given")],
      ["Places", each((o) => (o.places ?? null) === null ? null : String(o.places), "Not given")],
      ["Vacancies", each((o) => (o.vacancies ? `${o.vacancies.count} (as of ${dateText(o.vacancies.as_of)})` : null), "Not given")],
      ["Largest group", each((o) => (o.group_size ? `${o.group_size} pupil${o.group_size === 1 ? "" : "s"}` : null), "Not given")],
      ["Subjects", each((o) => (o.subjects.length ? joinWords(o.subjects.map((code) => vocab.subjects[code])) : null))],
      ["Qualifications", offers.map((offer) => (offer ? (offer.qualifications.length ? offer.qualifications : ["None"]) : ["Not on this lot"]))],
    ]];
  }

  function contactParts(contact) {
    const parts = [contact.name];
    if (contact.phone) parts.push({ text: contact.phone, href: `tel:${contact.phone.replace(/ /g, "")}` });
    if (contact.email) parts.push({ text: contact.email, href: `mailto:${contact.email}` });
    return parts;
  }

  // --- the printed pack ----------------------------------------------------------------------

  // The pack's first lines: the date it is printed, and how fresh each entry is.
  function datePack() {
    const found = state.slugs.map((slug) => records.get(slug)).filter(Boolean);
    const printed = $("compare-printed");
    const line = document.createElement("p");
    line.textContent = `Printed on ${dateText(isoToday())} from ${labels.council}'s ${labels.title}`;
    const entries = document.createElement("ul");
    for (const p of found) {
      const item = document.createElement("li");
      item.textContent = `${p.name}: entry last checked by the council on ${dateText(p.last_reviewed)}`;
      entries.append(item);
    }
    printed.replaceChildren(line, ...(found.length ? [entries] : []));
  }

  function drawPack(slugs) {
    const pack = $("compare-pack");
    compare.removeAttribute("data-pack-ready");
    const wanted = slugs.join(",");
    Promise.all(slugs.map(providerPage)).then((mains) => {
      if (state.slugs.join(",") !== wanted) return; // the comparison changed meanwhile
      pack.replaceChildren(...mains.map((main, index) => packEntry(main, slugs[index])));
      compare.dataset.packReady = "";
    });
  }

  function packReady() {
    return new Promise((resolve) => {
      const wait = () => (compare.hasAttribute("data-pack-ready") ? resolve() : setTimeout(wait, 50));
      wait();
    });
  }

  function providerPage(slug) {
    if (!pages.has(slug)) {
      const address = new URL(`${root}providers/${slug}/`, location.href);
      pages.set(slug, fetch(address).then((response) => (response.ok ? response.text() : ""))
        .then((html) => ({ address, main: new DOMParser().parseFromString(html, "text/html").querySelector("main") }))
        .catch(() => ({ address, main: null })));
    }
    return pages.get(slug);
  }

  // A provider's page, as it prints on its own: the referral contact and safeguarding lead first.
  function packEntry({ address, main }, slug) {
    const article = document.createElement("article");
    article.className = "pack__provider";
    if (!main) {
      const p = document.createElement("p");
      p.textContent = `The page of ${records.get(slug).name} could not be loaded: print it from ${address.pathname}.`;
      article.append(p);
      return article;
    }
    const copy = document.importNode(main, true);
    const refer = copy.querySelector("#refer");
    const about = copy.querySelector("#about");
    if (refer && about) {
      const section = [refer];
      for (let next = refer.nextElementSibling; next && next.tagName !== "H2"; next = next.nextElementSibling) section.push(next);
      about.before(...section);
    }
    for (const el of copy.querySelectorAll("button, nav, script")) el.remove();
    // Ids would repeat those of the other pages in the pack; links are made to work from here.
    for (const el of copy.querySelectorAll("[id], [aria-labelledby]")) {
      el.removeAttribute("id");
      el.removeAttribute("aria-labelledby");
    }
    for (const link of copy.querySelectorAll("a[href]")) {
      const target = new URL(link.getAttribute("href"), address);
      if (target.origin === location.origin) link.setAttribute("href", target.pathname + target.hash);
    }
    article.append(...copy.childNodes);
    return article;
  }

  // --- copying the link ----------------------------------------------------------------------

  async function copyLink() {
    const link = location.href;
    try {
      await navigator.clipboard.writeText(link);
      say(`Link copied. Paste it into an email or a document: ${link}`);
    } catch {
      say(`Your browser did not let this page copy the link. Select it and copy it: ${link}`);
    }
  }

  // --- words -----------------------------------------------------------------------------------

  function row(className) {
    const tr = document.createElement("tr");
    if (className) tr.className = className;
    return tr;
  }

  const cell = (kind) => document.createElement(kind);

  function tag(text, className) {
    const span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    return span;
  }

  function hiddenText(text) {
    const span = document.createElement("span");
    span.className = "visually-hidden";
    span.textContent = text;
    return span;
  }

  function linkTo(part) {
    const a = document.createElement("a");
    a.href = part.href;
    a.textContent = part.text;
    if (part.hidden) a.append(hiddenText(part.hidden));
    if (part.away) a.rel = "noopener noreferrer";
    return a;
  }

  const unique = (items) => [...new Set(items)];

  function stepFree(value) {
    if (value === undefined || value === null) return "not given";
    return value ? "yes" : "no";
  }

  function isoToday() {
    const now = new Date();
    const two = (n) => String(n).padStart(2, "0");
    return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
  }
}

// The same words as the provider pages (present.py).
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
// The words for days and price units come from the page (present.py), as on the provider pages.
let DAY_NAMES = {};
let PER = {};

export function dateText(date) {
  if (!date) return "";
  const [year, month, day] = date.split("-").map(Number);
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

export function joinWords(items, last = "and") {
  if (items.length < 2) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${last} ${items[items.length - 1]}`;
}

export function daysText(days) {
  const indexes = [...new Set(days.map((day) => DAYS.indexOf(day)))].sort((a, b) => a - b);
  const name = (index) => DAY_NAMES[DAYS[index]];
  const run = indexes.every((index, i) => index === indexes[0] + i);
  if (indexes.length >= 3 && run) return `${name(indexes[0])} to ${name(indexes[indexes.length - 1])}`;
  return joinWords(indexes.map(name));
}

export function hoursText(hours) {
  return `${hours} hour${hours === 1 ? "" : "s"} a week`;
}

export function pounds(amount) {
  return "£" + amount.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

// "£95 a day"; "£300 a week (£12.00 an hour)": per hour where it can be worked out (facets.py).
export function priceText(price, hours) {
  const text = `${pounds(price.amount).replace(/\.00$/, "")} ${PER[price.per]}`;
  if (price.per !== "week") return text;
  return `${text} (${pounds(Math.round((price.amount / hours) * 100) / 100)} an hour)`;
}

// Last, once every constant above is set.
if (compare) start();
