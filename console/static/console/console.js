// The console's few behaviours, without a build step. htmx sends the page's CSRF token (from
// <body hx-headers>); this file folds the navigation behind its Menu button on a narrow screen
// (without it the navigation simply stays open) and fills a form from a counter-offer's button.
(function () {
  var toggle = document.querySelector(".menu-toggle");
  var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!menu) return;
  toggle.closest(".sidebar").classList.add("collapsible");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  });
})();

// A table wider than its box scrolls inside it; the box then takes the keyboard's focus, so that
// arrow keys scroll it too. Again after htmx swaps results in, and when the window changes size.
function focusScrollingTables() {
  document.querySelectorAll(".table-wrap").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
    else box.removeAttribute("tabindex");
  });
}
focusScrollingTables();
document.addEventListener("htmx:afterSettle", focusScrollingTables);
window.addEventListener("resize", focusScrollingTables);

document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-fill]");
  if (!button) return;
  var form = document.getElementById(button.getAttribute("data-form"));
  var field = form && form.elements[button.getAttribute("data-fill")];
  if (!field) return;
  field.value = button.getAttribute("data-value");
  field.dispatchEvent(new Event("input", { bubbles: true }));
  field.focus();
});

// The application page. The amount field echoes what is typed in figures and words, as the
// server renders it (console/templatetags/figures.py amount_echo: one rule, a browser test holds
// the two equal). The decision panel is for the terms it was decided on: once a term differs it
// is marked stale, and Check eligibility is the primary action again until a new check.
var ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen " +
  "fourteen fifteen sixteen seventeen eighteen nineteen").split(" ");
var TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split(" ");
var UNITS = [[1e7, "crore"], [1e5, "lakh"], [1000, "thousand"], [100, "hundred"]];

function inWords(number) {
  var parts = [];
  UNITS.forEach(function (unit) {
    if (number >= unit[0]) {
      parts.push(inWords(Math.floor(number / unit[0])) + " " + unit[1]);
      number %= unit[0];
    }
  });
  if (number >= 20) parts.push(TENS[Math.floor(number / 10)] + (number % 10 ? "-" + ONES[number % 10] : ""));
  else if (number || !parts.length) parts.push(ONES[number]);
  return parts.join(" ");
}

function grouped(digits) {
  if (digits.length <= 3) return digits;
  var head = digits.slice(0, -3), pairs = [];
  for (var end = head.length; end > 0; end -= 2) pairs.unshift(head.slice(Math.max(0, end - 2), end));
  return pairs.join(",") + "," + digits.slice(-3);
}

function amountEcho(value) {
  var typed = /^\s*(\d{1,15})(?:\.(\d{1,2}))?\s*$/.exec(value);
  if (!typed) return "";
  var whole = Number(typed[1]), paise = Number(((typed[2] || "0") + "0").slice(0, 2));
  var figure = "₹\u00a0" + grouped(String(whole)) + (paise ? "." + String(paise).padStart(2, "0") : "");
  return figure + " · " + inWords(whole) + (paise ? " and " + inWords(paise) + " paise" : "");
}

function applicationTermsChanged(form) {
  var panel = document.querySelector("#decision[data-approved]");
  if (!panel) return;
  var stale = ["loan_amount", "interest_rate", "tenure"].some(function (name) {
    var field = form.elements[name];
    return field && Number(field.value) !== Number(panel.getAttribute("data-decided-" + name));
  });
  var bookable = !stale && panel.getAttribute("data-approved") === "true";
  panel.classList.toggle("stale", stale);
  panel.querySelector(".stale-note").hidden = !stale;
  form.querySelector("[data-action=check]").classList.toggle("secondary", bookable);
  form.querySelector("[data-action=book]").classList.toggle("secondary", !bookable);
}

document.addEventListener("input", function (event) {
  var form = event.target.form;
  if (!form || form.id !== "application-form") return;
  var echo = form.querySelector("[data-echo-amount]");
  if (echo && event.target.name === "loan_amount") echo.textContent = amountEcho(event.target.value);
  applicationTermsChanged(form);
});
