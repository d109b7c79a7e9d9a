/* Rapport loader (/widget.js), the script a business pastes. Tiny and never blocking: it
 * draws the launcher and creates the chat iframe when opened or when the page is idle.
 * window.Rapport(command, ...) works before it loads (calls queue in Rapport.q). Page and
 * iframe talk by postMessage, each checking the other's origin. */
(function (w, d) {
  "use strict";
  if (w.__rapport) return; // pasted twice
  w.__rapport = 1;
  var script = d.currentScript || d.querySelector("script[data-site]");
  var site = script && script.getAttribute("data-site");
  if (!site) return;
  var base = new URL(script.src, location.href).origin;
  var fr = /^fr\b/i.test(navigator.language || "");
  var queued = (w.Rapport && w.Rapport.q) || [];
  var handlers = {}, outbox = [], frame, launcher, badge, ready = 0, open = 0;
  var phone = w.matchMedia("(max-width: 480px)");
  var Z = "2147483000";

  function css(el, s) { for (var k in s) el.style[k] = s[k]; return el; }
  function el(tag) { return d.createElement(tag); }
  function emit(ev, data) {
    (handlers[ev] || []).forEach(function (fn) {
      try { fn(data); } catch (e) { setTimeout(function () { throw e; }); }
    });
  }
  function post(msg) {
    msg.rapport = 1;
    if (ready) frame.contentWindow.postMessage(msg, base); else outbox.push(msg);
  }
  function page() { post({ cmd: "page", url: location.href, title: d.title }); }

  // Panel closed: a reply beeps (WebAudio) and flashes the title until the chat is opened
  // or the tab comes back.
  var audio, title, flashing, note;
  function beep() {
    try {
      audio = audio || new (w.AudioContext || w.webkitAudioContext)();
      var o = audio.createOscillator(), g = audio.createGain(), t = audio.currentTime;
      o.frequency.value = 880;
      g.gain.setValueAtTime(.1, t);
      g.gain.exponentialRampToValueAtTime(.001, t + .3);
      o.connect(g).connect(audio.destination);
      o.start(t); o.stop(t + .3);
    } catch (e) {}
  }
  function flash(n) {
    note = "(" + n + ") " + (fr ? "Nouveau message" : "New message");
    if (!flashing) {
      title = d.title;
      flashing = setInterval(function () { d.title = d.title == note ? title : note; }, 1200);
    }
    d.title = note;
  }
  function unflash() {
    if (flashing) { clearInterval(flashing); flashing = 0; d.title = title; }
  }

  var CHAT = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"><path fill="currentColor" d="M12 3C6.5 3 2 6.9 2 11.7c0 2.6 1.3 4.9 3.4 6.5L4.6 22l4.3-2.3c1 .3 2 .4 3.1.4 5.5 0 10-3.9 10-8.7S17.5 3 12 3z"/></svg>';
  var SHUT = '<svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true"><path d="M6 9l6 6 6-6" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/></svg>';

  function layout() {
    if (frame) {
      css(frame, phone.matches
        ? { inset: "0", width: "100%", height: "100%", borderRadius: "0", right: "0", bottom: "0" }
        : { inset: "auto", right: "20px", bottom: "96px", width: "380px", height: "min(640px, calc(100% - 120px))", borderRadius: "16px" });
      frame.style.display = open ? "block" : "none";
    }
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    launcher.firstChild.innerHTML = open ? SHUT : CHAT;
    // On a phone the open panel covers the page; its own button closes it.
    launcher.style.display = open && phone.matches ? "none" : "flex";
  }

  function create() {
    if (frame) return;
    frame = css(el("iframe"), {
      position: "fixed", border: "0", zIndex: Z, background: "#fff", colorScheme: "normal",
      boxShadow: "0 12px 48px rgba(15,23,42,.22), 0 2px 8px rgba(15,23,42,.08)"
    });
    frame.title = fr ? "Discussion" : "Chat";
    frame.src = base + "/widget/frame?site=" + encodeURIComponent(site) + "&host=" + encodeURIComponent(location.origin);
    d.body.appendChild(frame);
    layout();
  }

  var api = {
    open: function () { create(); open = 1; layout(); unflash(); post({ cmd: "open" }); emit("open"); },
    close: function () {
      if (!open) return;
      open = 0; layout(); post({ cmd: "close" }); emit("close");
    },
    toggle: function () { open ? api.close() : api.open(); },
    identify: function (who) { post({ cmd: "identify", data: who || {} }); },
    setAttributes: function (attrs) { post({ cmd: "attributes", data: attrs || {} }); },
    on: function (ev, fn) { (handlers[ev] = handlers[ev] || []).push(fn); }
  };

  w.addEventListener("message", function (e) {
    var m = e.data;
    if (!frame || e.source !== frame.contentWindow || e.origin !== base || !m || m.rapport !== 1) return;
    if (m.ev === "ready") {
      ready = 1;
      if (/^#[0-9a-f]{6}$/i.test(m.color)) launcher.style.background = m.color;
      page();
      if (open) post({ cmd: "open" });
      outbox.splice(0).forEach(post);
      emit("ready");
    } else if (m.ev === "close") {
      api.close();
      launcher.focus();
    } else if (m.ev === "unread") {
      badge.textContent = m.count > 9 ? "9+" : m.count;
      badge.style.display = m.count ? "flex" : "none";
      m.count && !open ? flash(m.count) : unflash();
      emit("unread", m.count);
    } else if (m.ev === "message" || m.ev === "error") {
      if (m.ev === "message" && !open) beep();
      emit(m.ev, m.ev === "message" ? { body: m.body, created_at: m.created_at } : { code: m.code, message: m.message });
    }
  });

  function start() {
    launcher = css(el("button"), {
      position: "fixed", right: "20px", bottom: "20px", width: "60px", height: "60px", borderRadius: "50%",
      border: "0", padding: "0", cursor: "pointer", color: "#fff", background: script.getAttribute("data-color") || "#3b5bdb",
      boxShadow: "0 6px 24px rgba(15,23,42,.25)", zIndex: Z, alignItems: "center", justifyContent: "center"
    });
    launcher.type = "button";
    launcher.setAttribute("aria-label", fr ? "Ouvrir la discussion" : "Open chat");
    launcher.appendChild(el("span"));
    badge = css(el("span"), {
      position: "absolute", top: "-2px", right: "-2px", minWidth: "20px", height: "20px", padding: "0 6px",
      boxSizing: "border-box", borderRadius: "10px", background: "#e03131", color: "#fff", display: "none",
      font: "600 12px/20px system-ui,sans-serif", alignItems: "center", justifyContent: "center", border: "2px solid #fff"
    });
    badge.setAttribute("data-rapport-unread", "");
    launcher.setAttribute("data-rapport-launcher", "");
    launcher.appendChild(badge);
    launcher.onclick = api.toggle;
    d.body.appendChild(launcher);
    layout();
    (w.requestIdleCallback || setTimeout)(create, { timeout: 4000 });
    phone.addEventListener && phone.addEventListener("change", layout);
    // Single-page apps: tell the agents when the visitor moves on.
    ["pushState", "replaceState"].forEach(function (k) {
      var original = history[k];
      history[k] = function () { var r = original.apply(this, arguments); if (ready) page(); return r; };
    });
    w.addEventListener("popstate", function () { if (ready) page(); });
    w.addEventListener("hashchange", function () { if (ready) page(); });
    w.addEventListener("focus", unflash);
    queued.forEach(function (args) { w.Rapport.apply(null, args); });
  }

  w.Rapport = function (name) {
    var fn = api[name];
    if (fn) return fn.apply(null, [].slice.call(arguments, 1));
  };
  if (d.body) start(); else d.addEventListener("DOMContentLoaded", start);
})(window, document);
