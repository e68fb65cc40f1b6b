// dealflow console: the registration form's conflict pre-check as the
// customer is typed. Everything else works without JavaScript.
(function () {
  var form = document.getElementById("deal-form");
  var out = document.getElementById("precheck");
  if (!form || !out) return;
  var timer;
  function check() {
    var body = new URLSearchParams();
    ["customer_name", "customer_domain", "customer_country"].forEach(function (n) {
      body.set(n, form.elements[n].value);
    });
    fetch("/console/conflict-check", {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRF-Token": form.elements["csrf"].value }
    }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) { out.innerHTML = html; });
  }
  form.querySelectorAll("[data-precheck]").forEach(function (el) {
    el.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 400); });
  });
})();

// Referral links: a Copy button beside each link's box (the box alone,
// selectable, without JavaScript).
(function () {
  document.querySelectorAll("button.copy[data-copy]").forEach(function (b) {
    var box = document.getElementById(b.getAttribute("data-copy"));
    if (!box) return;
    b.hidden = false;
    b.addEventListener("click", function () {
      box.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(box.value); } else { document.execCommand("copy"); }
      b.textContent = "Copied";
    });
  });
})();
