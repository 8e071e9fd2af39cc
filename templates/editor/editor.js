/* storyboard edit: the page around the story. Plain JavaScript, no build step.
 *
 * The server owns the story: every change is one JSON POST naming the file version it
 * was made on, and the answer is the story as it now is. The page keeps no copy of
 * the file, only undo and redo lists of the operations the server says take each change
 * back (the answer to an undo names the operation that does the change again).
 */
(() => {
  "use strict";

  // The page's words, in the story's language (an attribute: escaped like any other).
  const S = JSON.parse(document.body.dataset.strings);
  // A count picks its plural form by CLDR's rules for the page's language (key.one, ...);
  // the plain key is the form for every other count.
  const plurals = new Intl.PluralRules(document.documentElement.lang || "en");
  const t = (key, values = {}) => {
    const form = typeof values.count === "number" ? `${key}.${plurals.select(values.count)}` : key;
    return (S[form] || S[key] || key).replace(/\{(\w+)\}/g, (m, name) =>
      name in values ? String(values[name]) : m,
    );
  };

  const $ = (id) => document.getElementById(id);
  const list = $("ed-items");
  const statusLine = $("ed-status");
  const undoButton = $("ed-undo");
  const redoButton = $("ed-redo");

  let state = null; // the last story the server sent
  let undoStack = [];
  let redoStack = [];
  let editing = null; // index of the item whose edit form is open
  let focusAfter = null; // {index, act} to focus once the list is drawn again

  // -- talking to the server ----------------------------------------------------------

  async function api(path, body) {
    const options = body === undefined
      ? { cache: "no-store" }
      : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    const response = await fetch("api/" + path, options);
    let data = {};
    try { data = await response.json(); } catch (_) { data = { error: response.statusText }; }
    return { status: response.status, data };
  }

  function say(message) {
    // Cleared first, so the same message twice is announced twice.
    statusLine.textContent = "";
    window.setTimeout(() => { statusLine.textContent = message; }, 30);
  }

  let changing = 0; // changes sent and not answered yet

  // Undo names items by position: after someone else changed the file, those may be
  // other items, so the lists start again.
  function forgetUndo() {
    undoStack = [];
    redoStack = [];
    showUndo();
  }

  function showUndo() {
    undoButton.disabled = undoStack.length === 0;
    redoButton.disabled = redoStack.length === 0;
  }

  // Changes go one after the other, each on the version the one before it wrote: a
  // second click or Ctrl+Z before the first answer waits its turn instead of being
  // refused as if someone else had changed the file.
  let queue = Promise.resolve();

  // body: the change, or a function giving it when its turn comes (null: nothing to do).
  // direction: "do" (a new change: redo is forgotten), "undo" or "redo".
  // seen: the version the curator saw when asking; a change asked on a view drawn over
  // since (a double click on a button that moved) is dropped, not applied elsewhere.
  function change(body, { direction = "do", done, seen = null } = {}) {
    changing += 1;
    document.body.dataset.saving = "true";
    const run = queue.then(() => send(body, { direction, done, seen }));
    queue = run.catch(() => null);
    return run;
  }

  function settle() {
    changing -= 1;
    // Cleared before the answer is drawn, in the same turn: nothing runs in between.
    if (changing === 0) delete document.body.dataset.saving;
  }

  async function send(body, { direction, done, seen }) {
    let answer;
    try {
      if (seen !== null && seen !== state.version) return null;
      body = typeof body === "function" ? body() : body;
      if (!body) return null;
      answer = await api("edit", { ...body, version: state.version });
    } finally {
      settle();
    }
    const { status, data } = answer;
    if (status === 409) {
      forgetUndo();
      show(data.state);
      say(t("editor_changed_on_disk"));
      return null;
    }
    if (status !== 200) {
      say(errorText(data, status));
      return null;
    }
    if (direction === "do") redoStack = [];
    if (data.undo) (direction === "undo" ? redoStack : undoStack).push(data.undo);
    show(data.state);
    const words = { do: "editor_saved", undo: "editor_undone", redo: "editor_redone" };
    say(done ? done(data) : t(words[direction]));
    return data;
  }

  // What a refused change says: the addresses that are not ones, in the page's words.
  function errorText(data, status) {
    if (data.refused && data.refused.length) return refusedText(data.refused);
    return t("editor_error", { message: data.error || status });
  }

  function refusedText(refused) {
    const plain = refused.filter((r) => !r.fixed).map((r) => r.given);
    const words = refused.filter((r) => r.fixed).map((r) => t("editor_did_you_mean", r));
    if (plain.length) words.unshift(t("editor_not_urls", { urls: plain.join(", ") }));
    return words.join(" ");
  }

  async function reload() {
    const seen = state;
    const { status, data } = await api("state");
    // A change answered meanwhile is newer than this answer.
    if (status === 200 && state === seen) show(data);
  }

  // Another program may change the file (a hand edit, git pull), and fetches finish in
  // the background: a cheap version check every second tells when to load the story again.
  async function poll() {
    try {
      const seen = state;
      const { status, data } = await api("version");
      // A change answered meanwhile already brought the story as it is now.
      if (status === 200) showProgress(data);
      if (status === 200 && state && state === seen && changing === 0) {
        if (data.version !== state.version) {
          forgetUndo();
          await reload();
          say(t("editor_reloaded"));
        } else if (data.fetches !== state.fetches && editing === null) {
          await reload();
        }
      }
    } catch (_) { /* the editor stopped; keep trying quietly */ }
    window.setTimeout(poll, 1000);
  }

  // -- drawing ------------------------------------------------------------------------

  function label(item) {
    const text = item.heading || item.title || item.text || item.url || "";
    return text.length > 60 ? text.slice(0, 59) + "…" : text;
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "html") node.innerHTML = value; // only the render layer's HTML
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function whereOptions(select, keep) {
    const previous = keep ? select.value : null;
    select.replaceChildren(el("option", { value: String(state.items.length), text: t("editor_where_end") }));
    if (state.items.length) select.append(el("option", { value: "0", text: t("editor_where_start") }));
    state.items.forEach((item, i) => {
      select.append(el("option", { value: String(i + 1), text: t("editor_where_after", { number: i + 1, label: label(item) }) }));
    });
    if (previous !== null && [...select.options].some((o) => o.value === previous)) select.value = previous;
  }

  function showProgress(next) {
    $("ed-progress").textContent = next.busy
      ? t("editor_progress", { done: next.total - next.busy, total: next.total }) : "";
  }

  function show(next) {
    const changedItems = !state || state.version !== next.version;
    state = next;
    document.title = t("editor_page_title", { title: next.title || "" });
    $("ed-title").textContent = next.title || "storyboard";
    $("ed-file").textContent = t("editor_file", { file: next.file });
    const problems = $("ed-problems");
    problems.hidden = !next.problems.length;
    problems.replaceChildren();
    if (next.problems.length) {
      problems.append(el("p", { text: t("editor_problems") }));
      const ul = el("ul");
      for (const p of next.problems) ul.append(el("li", { text: p }));
      problems.append(ul);
    }
    $("ed-empty").hidden = next.items.length > 0 || next.problems.length > 0;
    // A file that does not read takes no change and builds no output until it is fixed.
    for (const control of document.querySelectorAll("#ed-add-form button, #ed-review button, [data-render]")) {
      control.disabled = next.problems.length > 0;
    }
    showUndo();
    whereOptions($("ed-where"), !changedItems);
    whereOptions($("ed-review-where"), !changedItems);
    if (changedItems) editing = null;
    const active = document.activeElement;
    if (!focusAfter && active && list.contains(active) && active.dataset.act) {
      // Drawn again under the curator's hands (a fetch finished): the focus stays put.
      focusAfter = { index: Number(active.closest("li.ed-item").dataset.index), act: active.dataset.act };
    }
    drawList();
    showProgress(next);
    if (focusAfter) {
      const target = list.querySelector(`li[data-index="${focusAfter.index}"] [data-act="${focusAfter.act}"]:not(:disabled)`)
        || list.querySelector(`li[data-index="${focusAfter.index}"] button:not(:disabled)`);
      focusAfter = null;
      if (target) target.focus();
    }
  }

  // Only the items that changed are drawn again: with hundreds of posts being fetched,
  // redrawing them all each second would keep the page busy.
  function drawList() {
    const last = state.items.length - 1;
    const old = list.children;
    state.items.forEach((item, index) => {
      const key = JSON.stringify([item, index, index === last, editing === index]);
      const present = old[index];
      if (present && present.dataset.key === key) return;
      const li = drawItem(item, index);
      li.dataset.key = key;
      if (present) present.replaceWith(li); else list.append(li);
    });
    while (list.children.length > state.items.length) list.lastElementChild.remove();
  }

  function drawItem(item, index) {
    const number = index + 1;
    const li = el("li", { class: `ed-item ed-kind-${item.kind}`, "data-index": String(index) });
    const tools = el("div", { class: "ed-tools", role: "group", "aria-label": t("editor_item_label", { number, label: label(item) }) });
    // Mouse only: keyboard users have the buttons. No title: a tooltip shown on hover
    // keeps Chromium from starting the drag.
    const handle = el("span", {
      class: "ed-handle", draggable: "true", "aria-hidden": "true",
    }, document.createTextNode(`⠿ ${number}`));
    tools.append(handle);
    const button = (act, text, disabled, describe) => el("button", {
      type: "button", "data-act": act, disabled,
      "aria-label": describe ? `${text}: ${t("editor_item_label", { number, label: label(item) })}` : null,
    }, document.createTextNode(text));
    tools.append(
      button("up", t("editor_move_up"), index === 0, true),
      button("down", t("editor_move_down"), index === state.items.length - 1, true),
      button("edit", t("editor_edit"), false, true),
      button("delete", t("editor_delete"), false, true),
      button("after", t("editor_add_after"), false, true),
    );
    li.append(tools);
    if (item.kind === "url" && item.fetch !== "ok") li.append(fetchLine(item));
    // The theme resets everything inside .storyboard: only the preview goes in one, so the
    // editor's own controls keep their styles (and stay draggable).
    li.append(el("div", { class: "ed-preview storyboard", lang: document.documentElement.lang, html: item.html }));
    if (editing === index) li.append(editForm(item, index));
    return li;
  }

  function fetchLine(item) {
    const line = el("p", { class: `ed-fetch ed-fetch-${item.fetch}` });
    const text = {
      fetching: t("editor_fetching"),
      waiting: t("editor_waiting"),
      failed: t("editor_fetch_failed", { reason: item.reason || "?" }),
      missing: t("editor_missing"),
    }[item.fetch] || "";
    line.append(document.createTextNode(text + " "));
    if (item.fetch === "failed" || item.fetch === "missing") {
      const retry = el("button", { type: "button", "data-act": "retry" }, document.createTextNode(t("editor_retry")));
      line.append(retry);
    }
    return line;
  }

  let fieldCount = 0;
  function field(labelText, control) {
    const id = `ed-f${++fieldCount}`;
    control.id = id;
    return el("div", { class: "ed-field" }, el("label", { for: id, text: labelText }), control);
  }

  function markdownPreview(textarea) {
    const out = el("div", { class: "ed-md-preview storyboard", "aria-live": "polite" });
    let timer = null;
    const update = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(async () => {
        if (!textarea.value.trim()) { out.replaceChildren(); return; }
        const { status, data } = await api("markdown", { text: textarea.value });
        if (status === 200) out.innerHTML = data.html; // sanitized by the render layer
      }, 250);
    };
    textarea.addEventListener("input", update);
    update();
    // The frame outside the theme's .storyboard, whose reset would take its border away.
    return el("div", { class: "ed-field" }, el("p", { class: "ed-small", text: t("editor_markdown_preview") }),
      el("div", { class: "ed-md-frame" }, out));
  }

  function editForm(item, index) {
    const form = el("form", { class: "ed-form ed-edit" });
    const controls = {};
    if (item.kind === "heading") {
      controls.heading = el("input", { type: "text", value: item.heading });
      form.append(field(t("editor_heading_field"), controls.heading));
    } else if (item.kind === "text") {
      controls.text = el("textarea", { rows: "6" });
      controls.text.value = item.text;
      form.append(field(t("editor_text_field"), controls.text), markdownPreview(controls.text));
    } else {
      controls.url = el("input", { type: "url", value: item.url, spellcheck: "false" });
      controls.note = el("textarea", { rows: "3" });
      controls.note.value = item.note || "";
      controls.title = el("input", { type: "text", value: item.title || "" });
      controls.embed = el("select");
      for (const [value, key] of [["", "editor_embed_default"], ["static", "editor_embed_static"], ["click", "editor_embed_click"], ["live", "editor_embed_live"]]) {
        controls.embed.append(el("option", { value, text: t(key), selected: (item.embed || "") === value }));
      }
      form.append(
        field(t("editor_url_field"), controls.url),
        field(t("editor_note_field"), controls.note), markdownPreview(controls.note),
        field(t("editor_title_field"), controls.title),
        field(t("editor_embed_field"), controls.embed),
      );
    }
    const buttons = el("div", { class: "ed-buttons" },
      el("button", { type: "submit" }, document.createTextNode(t("editor_save"))),
      el("button", { type: "button", "data-act": "cancel" }, document.createTextNode(t("editor_cancel"))));
    form.append(buttons);
    const headings = state.items.map((it, i) => [it, i]).filter(([it, i]) => it.kind === "heading" && i !== index);
    if (headings.length) {
      const select = el("select");
      for (const [it, i] of headings) select.append(el("option", { value: String(i), text: it.heading }));
      const move = el("button", { type: "button", "data-act": "to-heading" }, document.createTextNode(t("editor_move_to_heading_button")));
      form.append(el("div", { class: "ed-move" }, field(t("editor_move_to_heading"), select), move));
      move.addEventListener("click", () => moveToHeading(index, Number(select.value)));
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const changes = {};
      for (const [key, control] of Object.entries(controls)) {
        // Only what was changed: the other keys keep their lines, quoting and all.
        if (control.value !== (item[key] || "")) changes[key] = control.value.trim() ? control.value : null;
      }
      focusAfter = { index, act: "edit" };
      if (!Object.keys(changes).length) { editing = null; show(state); return; }
      await change({ op: "update", index, changes }, { seen: state.version });
    });
    window.setTimeout(() => (form.querySelector("input, textarea") || form).focus(), 0);
    return form;
  }

  // -- actions ------------------------------------------------------------------------

  function moveTo(index, to, act) {
    if (to < 0 || to >= state.items.length || to === index) return;
    focusAfter = { index: to, act };
    change({ op: "move", index, to }, {
      seen: state.version, done: () => t("editor_moved", { number: to + 1 }),
    });
  }

  function moveToHeading(index, headingIndex) {
    // The end of the heading's section: just before the next heading, or the end.
    let end = state.items.length;
    for (let i = headingIndex + 1; i < state.items.length; i++) {
      if (state.items[i].kind === "heading") { end = i; break; }
    }
    const to = end > index ? end - 1 : end;
    moveTo(index, to, "edit");
  }

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-act]");
    const link = event.target.closest(".ed-preview a[href], .ed-md-preview a[href]");
    if (link) {
      // The editor stays open: a post opens in a tab of its own, without a referrer.
      event.preventDefault();
      window.open(link.href, "_blank", "noopener,noreferrer");
      return;
    }
    if (!button) return;
    const li = button.closest("li.ed-item");
    const index = Number(li.dataset.index);
    const item = state.items[index];
    switch (button.dataset.act) {
      case "up": moveTo(index, index - 1, index - 1 === 0 ? "down" : "up"); break;
      case "down": moveTo(index, index + 1, index + 1 === state.items.length - 1 ? "up" : "down"); break;
      case "edit":
        editing = editing === index ? null : index;
        drawList();
        break;
      case "cancel":
        editing = null;
        focusAfter = { index, act: "edit" };
        show(state);
        break;
      case "delete":
        focusAfter = { index: Math.min(index, state.items.length - 2), act: "delete" };
        change({ op: "delete", index }, {
          seen: state.version, done: () => t("editor_deleted", { number: index + 1 }),
        });
        break;
      case "after":
        $("ed-where").value = String(index + 1);
        $("ed-add-text").focus();
        break;
      case "retry":
        api("retry", { url: item.url }).then(reload);
        break;
      default:
    }
  });

  function undoOrRedo(direction) {
    // Taken from its list when its turn comes: after the changes asked before it.
    change(() => {
      const op = (direction === "undo" ? undoStack : redoStack).pop();
      showUndo();
      if (!op) say(t(direction === "undo" ? "editor_nothing_to_undo" : "editor_nothing_to_redo"));
      return op || null;
    }, { direction });
  }
  undoButton.addEventListener("click", () => undoOrRedo("undo"));
  redoButton.addEventListener("click", () => undoOrRedo("redo"));

  // Ctrl+Z undoes, Ctrl+Y and Ctrl+Shift+Z redo (Cmd on a Mac); inside a text field
  // they stay the field's own undo and redo of typing.
  document.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const key = event.key.toLowerCase();
    let direction = null;
    if (key === "z") direction = event.shiftKey ? "redo" : "undo";
    else if (key === "y" && !event.shiftKey) direction = "redo";
    if (!direction || !state) return;
    event.preventDefault();
    undoOrRedo(direction);
  });

  // -- adding -------------------------------------------------------------------------

  const addForm = $("ed-add-form");
  const addText = $("ed-add-text");
  const addLabels = { urls: "editor_add_urls_label", heading: "editor_add_heading_label", text: "editor_add_text_label" };
  addForm.addEventListener("change", (event) => {
    if (event.target.name === "kind") $("ed-add-label").textContent = t(addLabels[event.target.value]);
  });

  async function addUrls(text, index) {
    const count = (text.match(/https?:\/\//gi) || []).length;
    if (count > 1) say(t("editor_adding", { count }));
    return change({ op: "add_urls", index, text }, {
      done: (data) => [
        t("editor_added", { count: data.added.length }),
        data.skipped.length ? t("editor_skipped", { urls: data.skipped.join(", ") }) : "",
        data.refused.length ? refusedText(data.refused) : "",
      ].filter(Boolean).join(" "),
    });
  }

  addForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const kind = addForm.elements.kind.value;
    const index = Number($("ed-where").value);
    const text = addText.value;
    if (!text.trim()) { addText.focus(); return; }
    const data = kind === "urls"
      ? await addUrls(text, index)
      : await change({ op: "insert", index, items: [{ [kind]: text }] });
    if (data && addText.value === text) addText.value = ""; // not what was typed since
  });

  // URLs pasted outside a text field go after the item that has the focus, else at the end.
  document.addEventListener("paste", (event) => {
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const text = event.clipboardData.getData("text/plain");
    if (!/https?:\/\//i.test(text) || !state) return;
    event.preventDefault();
    const li = document.activeElement && document.activeElement.closest && document.activeElement.closest("li.ed-item");
    addUrls(text, li ? Number(li.dataset.index) + 1 : state.items.length);
  });

  // -- drag and drop: items to reorder, URLs from elsewhere to add ----------------------

  let dragged = null;
  const DROP_CLASSES = ["ed-drop-before", "ed-drop-after"];
  const clearDrop = () => list.querySelectorAll(".ed-drop-before, .ed-drop-after")
    .forEach((node) => node.classList.remove(...DROP_CLASSES));

  list.addEventListener("dragstart", (event) => {
    // The target may be the handle's text node: look from its element.
    const from = event.target.nodeType === Node.TEXT_NODE ? event.target.parentElement : event.target;
    const handle = from && from.closest && from.closest(".ed-handle");
    if (!handle) return;
    const li = handle.closest("li.ed-item");
    dragged = Number(li.dataset.index);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("application/x-storyboard-item", String(dragged));
    event.dataTransfer.setDragImage(li, 20, 20);
    li.classList.add("ed-dragging");
  });

  list.addEventListener("dragend", () => {
    dragged = null;
    clearDrop();
    list.querySelectorAll(".ed-dragging").forEach((node) => node.classList.remove("ed-dragging"));
  });

  function dropPlace(event) {
    const li = event.target.closest && event.target.closest("li.ed-item");
    if (!li) return null;
    const box = li.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    return { li, index: Number(li.dataset.index), after };
  }

  list.addEventListener("dragover", (event) => {
    const place = dropPlace(event);
    if (!place) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = dragged === null ? "copy" : "move";
    clearDrop();
    place.li.classList.add(place.after ? "ed-drop-after" : "ed-drop-before");
  });

  list.addEventListener("dragleave", (event) => {
    if (!list.contains(event.relatedTarget)) clearDrop();
  });

  list.addEventListener("drop", (event) => {
    const place = dropPlace(event);
    clearDrop();
    if (!place) return;
    event.preventDefault();
    const position = place.index + (place.after ? 1 : 0); // between items, before the move
    if (dragged !== null) {
      const from = dragged;
      dragged = null;
      const to = position > from ? position - 1 : position;
      if (to !== from) moveTo(from, to, "up");
      return;
    }
    const text = event.dataTransfer.getData("text/uri-list") || event.dataTransfer.getData("text/plain");
    if (text) addUrls(text, position);
  });

  // -- collecting from a hashtag ----------------------------------------------------------

  const collectNetwork = $("ed-collect-network");
  const showInstance = () => {
    // Bluesky has one public search; only Mastodon asks which server.
    $("ed-collect-instance-field").hidden = collectNetwork.value !== "mastodon";
  };
  collectNetwork.addEventListener("change", showInstance);
  showInstance();

  $("ed-collect-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const network = collectNetwork.value;
    say(t("editor_collecting"));
    const { status, data } = await api("collect", {
      network, instance: $("ed-collect-instance").value, tag: $("ed-collect-tag").value,
    });
    if (status !== 200) { say(t("editor_error", { message: data.error || status })); return; }
    const review = $("ed-review");
    const ul = $("ed-review-list");
    ul.replaceChildren();
    data.posts.forEach((post, i) => {
      const id = `ed-post-${i}`;
      const words = [post.date, post.author, post.text].filter(Boolean).join(" · ");
      ul.append(el("li", {},
        el("input", { type: "checkbox", id, value: post.url, checked: true }),
        el("label", { for: id }, el("span", { text: words }), el("br"), el("span", { class: "ed-small", text: post.url }))));
    });
    review.hidden = data.posts.length === 0;
    const found = data.posts.length ? t("editor_collect_found", { count: data.posts.length }) : t("editor_collect_none");
    $("ed-review-count").textContent = found;
    say([found, ...data.warnings].join(" "));
  });

  $("ed-review").addEventListener("submit", async (event) => {
    event.preventDefault();
    const urls = [...$("ed-review-list").querySelectorAll("input:checked")].map((box) => box.value);
    if (!urls.length) return;
    const data = await change({ op: "add_collected", index: Number($("ed-review-where").value), urls }, {
      done: (d) => t("editor_added", { count: d.added.length }),
    });
    if (data) {
      for (const box of $("ed-review-list").querySelectorAll("input:checked")) box.closest("li").remove();
    }
  });

  // -- publishing ---------------------------------------------------------------------------

  document.querySelectorAll("[data-render]").forEach((button) => {
    button.addEventListener("click", async () => {
      const { status, data } = await api("render", { format: button.dataset.render });
      if (status !== 200) { say(t("editor_error", { message: data.error || status })); return; }
      const written = t("editor_written", { paths: data.written.join(", ") });
      $("ed-written").textContent = written;
      say(written);
      const fragment = $("ed-fragment");
      fragment.hidden = data.fragment === undefined;
      if (data.fragment !== undefined) $("ed-fragment-text").value = data.fragment;
    });
  });

  $("ed-copy").addEventListener("click", async () => {
    const text = $("ed-fragment-text").value;
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {
      $("ed-fragment-text").select();
      document.execCommand("copy");
    }
    say(t("editor_copied"));
  });

  // The first load waits for the editor to finish starting (a 503 until then).
  async function firstLoad() {
    for (;;) {
      try { await reload(); } catch (_) { /* not listening yet */ }
      if (state) break;
      await new Promise((resolve) => window.setTimeout(resolve, 250));
    }
    window.setTimeout(poll, 1000);
  }
  firstLoad();
})();
