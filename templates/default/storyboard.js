(function () {
  "use strict";
  /* Click-to-load players: nothing is requested from a provider until the reader asks.
     The page says which hosts may play and what every player frame gets, as data on
     this script's own tag; without it nothing loads. */
  var here = document.currentScript;
  function setting(name) { return (here && here.getAttribute("data-sb-" + name)) || ""; }
  var hosts = setting("hosts").split(/\s+/).filter(Boolean);
  function load(button) {
    var url;
    try { url = new URL(button.getAttribute("data-sb-player")); } catch (e) { return; }
    if (url.protocol !== "https:" || hosts.indexOf(url.hostname) < 0) { return; }
    var frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = button.getAttribute("data-sb-title") || "";
    frame.setAttribute("sandbox", setting("sandbox"));
    frame.setAttribute("referrerpolicy", setting("referrerpolicy"));
    frame.setAttribute("allow", setting("allow"));
    frame.setAttribute("allowfullscreen", "");
    var w = +button.getAttribute("data-sb-width"), h = +button.getAttribute("data-sb-height");
    if (w > 0 && h > 0) { frame.style.aspectRatio = w + " / " + h; }
    var box = document.createElement("div");
    box.className = "sb-frame";
    box.appendChild(frame);
    var loader = button.closest(".sb-loader") || button;
    var card = button.closest(".sb-card");
    var media = card && card.querySelector(".sb-media");
    if (media) { media.replaceWith(box); } else { loader.before(box); }
    loader.remove();
    frame.focus();
  }
  /* A fragment's script serves its own fragment only: a blog post may hold several. */
  var root = (here && here.closest(".storyboard")) || document;
  var buttons = root.querySelectorAll(".sb-loader button[data-sb-player]:not([data-sb-ready])");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].setAttribute("data-sb-ready", "");
    buttons[i].addEventListener("click", function (event) { load(event.currentTarget); });
    buttons[i].closest(".sb-loader").hidden = false;
  }
})();
