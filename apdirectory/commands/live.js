// The preview's live reload (added by `build.py serve` to the pages it sends; never part of the
// built site). serve says, over Server-Sent Events, which version of the site is in place and
// what is wrong with the last save: the page reloads when a newer version is in place, and shows
// the mistakes in a dialog over the last good version until they are fixed.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = script.getAttribute("data-version");
  var base = script.src.replace(/live\.js$/, "");
  var dialog = null;
  var dismissed = "";  // the mistakes the person closed the dialog on: not shown again until they change
  var before = null;  // what had focus before the dialog opened, to return to

  function element(tag, text, attributes) {
    var made = document.createElement(tag);
    if (text) made.textContent = text;  // never innerHTML: a message quotes what was typed
    Object.keys(attributes || {}).forEach(function (name) { made.setAttribute(name, attributes[name]); });
    return made;
  }

  function makeDialog() {
    var style = element("link", "", { rel: "stylesheet", href: base + "live.css" });
    document.head.appendChild(style);
    dialog = element("dialog", "", { "class": "preview-problems", "aria-labelledby": "preview-problems-title" });
    dialog.appendChild(element("h2", "", { id: "preview-problems-title", tabindex: "-1" }));
    dialog.appendChild(element("p", "This page still shows the last version without mistakes. Fix the file " +
      "and save it: this page then reloads by itself."));
    dialog.appendChild(element("ul"));
    var close = element("button", "Close", { type: "button" });
    close.addEventListener("click", function () { dialog.close(); });
    dialog.appendChild(close);
    dialog.addEventListener("close", function () {  // Escape closes it too
      dismissed = dialog.getAttribute("data-problems");
      if (before && document.contains(before)) before.focus();
    });
    document.body.appendChild(dialog);
  }

  function show(problems) {
    var key = JSON.stringify(problems);
    if (key === dismissed || (dialog && dialog.open && dialog.getAttribute("data-problems") === key)) return;
    if (!dialog) makeDialog();
    dialog.setAttribute("data-problems", key);
    var count = problems.length;
    dialog.querySelector("h2").textContent = "Your change was not shown: " +
      (count === 1 ? "1 mistake" : count + " mistakes") + " to fix";
    var list = dialog.querySelector("ul");
    list.textContent = "";
    problems.forEach(function (problem) { list.appendChild(element("li", problem)); });
    if (!dialog.open) {
      before = document.activeElement;
      dialog.showModal();
    }
    dialog.querySelector("h2").focus();  // heard first; Tab then reaches the Close button
  }

  function hide() {
    dismissed = "";
    if (dialog && dialog.open) dialog.close();
  }

  var events = new EventSource(base + "events");
  events.onmessage = function (message) {
    var state = JSON.parse(message.data);
    if (state.problems.length) show(state.problems);
    else if (state.version !== shown) location.reload();
    else hide();
  };
}());
