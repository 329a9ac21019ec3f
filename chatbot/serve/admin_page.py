"""The editors' page at /admin: sign in, see the articles and which are overdue for review,
upload a file (preview the change first), delete an article.  It calls /api/articles with the
credentials typed into its sign-in form (HTTP Basic); they stay in the page's memory only.
Every text from the server is set as text, never as HTML."""

ADMIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Articles - Health Q&amp;A editors</title>
<style>
body {font-family: system-ui, sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; color: #111827;}
table {border-collapse: collapse; width: 100%;} th, td {text-align: left; padding: 0.3em 0.5em; border-bottom: 1px solid #d1d5db;}
.overdue {color: #991b1b; font-weight: 600;} pre {background: #f3f4f6; padding: 0.5em; overflow: auto; max-height: 20rem;}
#error {color: #991b1b; font-weight: 600;} fieldset {margin: 1em 0;} label {display: block; margin: 0.3em 0;}
.add {color: #065f46;} .del {color: #991b1b;}
</style></head><body>
<h1>Articles</h1>
<p id="error" role="alert"></p>
<form id="signin"><fieldset><legend>Sign in</legend>
<label>User <input id="user" autocomplete="username" value="admin" required></label>
<label>Password <input id="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></fieldset></form>
<div id="editor" hidden>
<h2>Overdue for review</h2><ul id="reviews"></ul>
<h2>Upload an article</h2>
<form id="upload"><label>File (.md, .txt, .html, .pdf, .docx) <input id="file" type="file" required
 accept=".md,.txt,.html,.htm,.pdf,.docx"></label>
<label>Article id <input id="article-id" required placeholder="e.g. conditions/gout"></label>
<button type="button" id="preview">Preview the change</button> <button type="submit">Publish</button></form>
<pre id="result" aria-live="polite"></pre>
<h2>All articles</h2>
<table><thead><tr><th>Id</th><th>Title</th><th>Format</th><th>Reviewed</th><th>Review due</th><th>Chunks</th><th></th></tr></thead>
<tbody id="articles"></tbody></table>
</div>
<script>
let auth = "";
const $ = (id) => document.getElementById(id);
function show(error) { $("error").textContent = error || ""; }
async function call(method, path, body, type) {
  const headers = {"Authorization": auth, "X-Requested-With": "fetch"};
  if (type) headers["Content-Type"] = type;
  const response = await fetch(path, {method, headers, body});
  const data = await response.json().catch(() => ({error: response.statusText}));
  if (!response.ok) throw new Error(response.status === 401 ? "Wrong user name or password." : (data.error || response.statusText));
  return data;
}
function cell(row, text, cls) { const td = row.insertCell(); td.textContent = text; if (cls) td.className = cls; return td; }
function summary(report) {
  if (report.dry_run) return (report.diff || "No change to the article's text.");
  const c = report.counts || {};
  return `Index updated: ${c.added || 0} added, ${c.changed || 0} changed, ${c.removed || 0} removed; ` +
         `${report.chunks_embedded} chunks embedded, ${report.chunks_total} in the index.`;
}
async function refresh() {
  const {articles} = await call("GET", "/api/articles");
  const body = $("articles"); body.replaceChildren();
  const reviews = $("reviews"); reviews.replaceChildren();
  for (const a of articles) {
    const row = body.insertRow();
    cell(row, a.id); cell(row, a.title); cell(row, a.format); cell(row, a.reviewed || "never");
    cell(row, a.review_due || "-", a.overdue ? "overdue" : ""); cell(row, String(a.chunks));
    const button = document.createElement("button"); button.textContent = "Delete";
    button.setAttribute("aria-label", "Delete " + a.id); button.onclick = () => remove(a.id);
    row.insertCell().append(button);
    if (a.overdue) { const li = document.createElement("li"); li.textContent = `${a.id}: due ${a.review_due} (reviewed ${a.reviewed})`; reviews.append(li); }
  }
  if (!reviews.children.length) { const li = document.createElement("li"); li.textContent = "None."; reviews.append(li); }
}
async function remove(id) {
  try {
    const preview = await call("DELETE", `/api/articles/${id}?dry_run=true`);
    if (!confirm(`Delete ${id}? This removes it from the corpus and the index.`)) return;
    $("result").textContent = summary(await call("DELETE", `/api/articles/${id}`)); show(); await refresh();
  } catch (e) { show(e.message); }
}
async function upload(dryRun) {
  const file = $("file").files[0]; const id = $("article-id").value.trim();
  if (!file || !id) { show("Choose a file and give its article id."); return; }
  const format = file.name.split(".").pop().toLowerCase();
  try {
    const report = await call("PUT", `/api/articles/${id}?format=${encodeURIComponent(format)}&dry_run=${dryRun}`, file, "application/octet-stream");
    $("result").textContent = summary(report); show(); if (!dryRun) await refresh();
  } catch (e) { show(e.message); }
}
$("file").onchange = () => { const f = $("file").files[0]; if (f && !$("article-id").value) $("article-id").value = f.name.replace(/\\.[^.]+$/, ""); };
$("preview").onclick = () => upload(true);
$("upload").onsubmit = (event) => { event.preventDefault(); upload(false); };
$("signin").onsubmit = async (event) => {
  event.preventDefault();
  auth = "Basic " + btoa(unescape(encodeURIComponent($("user").value + ":" + $("password").value)));
  try { await refresh(); $("signin").hidden = true; $("editor").hidden = false; show(); }
  catch (e) { auth = ""; show(e.message); }
};
</script></body></html>
"""
