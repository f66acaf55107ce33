/** The single page; everything it shows is built by app.js with DOM calls (text nodes, never innerHTML). */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tierwise</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/app.css">
<script src="/ui/app.js" defer></script>
</head>
<body>
<header>
  <a class="brand" href="#/">Tierwise</a>
  <span class="tagline">Where should this model run, and in what form?</span>
  <form id="key-form" class="key-form" autocomplete="off">
    <label for="api-key">API key</label>
    <input id="api-key" name="key" type="password" placeholder="tw_…" spellcheck="false" autocomplete="off">
    <button type="submit">Save</button>
    <button type="button" id="key-forget" class="secondary">Forget</button>
  </form>
</header>
<div id="notice" role="status" aria-live="polite"></div>
<main id="view"><p class="muted">Loading…</p></main>
<noscript><p>This page needs JavaScript. The same service answers over REST (<a href="/docs">/docs</a>) and the <code>tierwise</code> CLI.</p></noscript>
</body>
</html>
`;
