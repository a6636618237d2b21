/* The review page's keyboard: a accept, r reject, x not in the catalogue, c create a
 * cigar, s skip, 1-3 choose an alternative, / search. No library, no build step.
 *
 * The time from a decision key to the next page being ready is measured here (the key
 * press is stamped in sessionStorage, the next page reads it) and shown at the bottom of
 * the page: reviewers see how fast the console answers, and the browser test reads it.
 */
(function () {
  "use strict";
  var STAMP = "cigarspace.review.pressedAt";
  var root = document.getElementById("review");
  if (!root) { return; }
  var form = document.getElementById("decision-form");
  var actionInput = document.getElementById("decision-action");
  var cigarInput = document.getElementById("decision-cigar");
  var search = document.getElementById("review-search-input");
  var results = document.getElementById("review-search-results");
  var busy = false;
  // When the page was ready: the reviewer's time on this item goes with the decision.
  var shownAt = Date.now();

  function stamp() {
    try { sessionStorage.setItem(STAMP, String(Date.now())); } catch (e) { /* private mode */ }
  }

  function reportTiming() {
    var pressed = null;
    try { pressed = sessionStorage.getItem(STAMP); sessionStorage.removeItem(STAMP); } catch (e) { }
    if (!pressed) { return; }
    var elapsed = Date.now() - Number(pressed);
    window.reviewTransitionMs = elapsed;
    root.setAttribute("data-transition-ms", String(elapsed));
    var line = document.getElementById("review-timing");
    if (line) { line.textContent = "Previous decision to this page: " + elapsed + " ms"; }
  }

  function submit(action, cigarId) {
    if (busy) { return; }
    busy = true;  // one decision per page: a second key press must not post twice
    actionInput.value = action;
    cigarInput.value = cigarId || "";
    var think = document.getElementById("decision-think-ms");
    if (think) { think.value = String(Date.now() - shownAt); }
    stamp();
    form.submit();
  }

  function go(url, measured) {
    if (busy || !url) { return; }
    busy = true;
    if (measured) { stamp(); }  // only review page → review page transitions are timed
    window.location.assign(url);
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (button && !button.disabled) { submit(button.getAttribute("data-action")); return; }
    var choose = event.target.closest(".review-choose");
    if (choose) { submit("repoint", choose.getAttribute("data-cigar")); return; }
    var hit = event.target.closest("#review-search-results li[data-cigar]");
    if (hit) { submit("repoint", hit.getAttribute("data-cigar")); }
  });

  function clickAction(name) {
    var button = root.querySelector('[data-action="' + name + '"]');
    if (button && !button.disabled) { submit(name); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    switch (event.key) {
      case "a": clickAction("accept"); break;
      case "r": clickAction("reject"); break;
      case "x": clickAction("not_in_catalogue"); break;
      case "c": go(document.getElementById("review-create").href, false); break;
      case "s": go(document.getElementById("review-skip").href, true); break;
      case "1": case "2": case "3":
        var alt = root.querySelector('.review-choose[data-key="' + event.key + '"]');
        if (alt) { submit("repoint", alt.getAttribute("data-cigar")); }
        break;
      case "/": search.focus(); break;
      case "o":  // this line only, not its whole group
        var only = document.getElementById("review-only-line");
        if (only) { only.checked = !only.checked; }
        break;
      case "b":  // the brand is not carried: a whole brand in one decision, so confirm
        var brandForm = document.getElementById("brand-not-carried-form");
        if (brandForm && window.confirm("Mark every pending label of this brand as not in the catalogue?")) {
          brandForm.submit();
        }
        break;
      default: return;
    }
    event.preventDefault();
  });

  // --- re-point search (trigram autocomplete) -------------------------------------------
  var timer = null;
  var selected = -1;
  var lastQuery = "";

  function render(items) {
    results.textContent = "";
    selected = items.length ? 0 : -1;
    items.forEach(function (item, index) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.setAttribute("data-cigar", item.id);
      li.textContent = item.full_name;
      var extra = document.createElement("span");
      extra.className = "review-quiet";
      var dims = [item.vitola_de_galera, item.length_mm && (item.length_mm + " mm"),
                  item.ring_gauge && ("× " + item.ring_gauge)].filter(Boolean).join(" ");
      extra.textContent = dims ? "  " + dims : "";
      li.appendChild(extra);
      if (index === 0) { li.classList.add("selected"); }
      results.appendChild(li);
    });
    if (!items.length && lastQuery) {
      var none = document.createElement("li");
      none.className = "review-quiet";
      none.textContent = "No cigar found.";
      results.appendChild(none);
    }
  }

  function move(delta) {
    var items = results.querySelectorAll("li[data-cigar]");
    if (!items.length) { return; }
    items[selected] && items[selected].classList.remove("selected");
    selected = (selected + delta + items.length) % items.length;
    items[selected].classList.add("selected");
  }

  function lookup() {
    var query = search.value.trim();
    lastQuery = query;
    if (!query) { render([]); return; }
    var url = root.getAttribute("data-search-url") + "?q=" + encodeURIComponent(query);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (query === lastQuery) {
          render(data.results || []);
          results.setAttribute("data-query", query);
        }
      });
  }

  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 120);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (event.key === "Enter") {
      event.preventDefault();
      var items = results.querySelectorAll("li[data-cigar]");
      if (selected >= 0 && items[selected]) {
        submit("repoint", items[selected].getAttribute("data-cigar"));
      }
    }
  });

  reportTiming();
})();
