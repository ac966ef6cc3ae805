// The web desk's few lines of script: search as you type, the complaints' countdown, and
// a refresh every 60 s that keeps the scroll position. Pages work without it.
(function () {
  "use strict";

  // Search as you type: fetch the same page for the new query and swap in its rows.
  document.querySelectorAll("input[data-live]").forEach(function (input) {
    var timer = null;
    var seq = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var form = input.form;
        var params = new URLSearchParams(new FormData(form));
        var url = form.getAttribute("action") + "?" + params.toString();
        var mine = ++seq;
        fetch(url, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
          .then(function (html) {
            if (mine !== seq) { return; }
            var doc = new DOMParser().parseFromString(html, "text/html");
            var target = document.getElementById(input.dataset.live);
            var fresh = doc.getElementById(input.dataset.live);
            if (target && fresh) {
              target.replaceWith(fresh);
              history.replaceState(null, "", url);
            }
          })
          .catch(function () { form.submit(); });
      }, 250);
    });
  });

  // Complaints: time left to the response deadline, or how far past it.
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function span(seconds, day) {
    var s = Math.abs(seconds);
    var d = Math.floor(s / 86400);
    var h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60);
    return (d > 0 ? d + day + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(Math.floor(s % 60));
  }
  function tick() {
    var now = Date.now() / 1000;
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var left = Number(el.dataset.due) - now;
      var over = left < 0;
      el.textContent = (over ? el.dataset.late : el.dataset.left) + " " + span(left, el.dataset.day || "d");
      el.classList.toggle("over", over);
    });
  }
  if (document.querySelector(".countdown")) {
    tick();
    setInterval(tick, 1000);
  }

  // Refresh every 60 s, back at the same scroll position; not while someone is typing.
  var key = "od-scroll:" + location.pathname + location.search;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.scrollTo(0, Number(saved));
  }
  var every = Number(document.body.dataset.refresh || 0);
  if (every > 0) {
    setInterval(function () {
      var active = document.activeElement;
      if (active && (active.tagName === "INPUT" || active.tagName === "SELECT") && active.value) {
        return;
      }
      sessionStorage.setItem(key, String(window.scrollY));
      location.reload();
    }, every * 1000);
  }
})();
