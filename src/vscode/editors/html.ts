/**
 * The webview page of a model editor. Pure (no 'vscode' import) so the browser
 * tests load exactly this page. Strict CSP: nothing but our own script (by
 * nonce) and stylesheet (by origin), no inline style attributes, no remote
 * resources.
 */
export interface WebviewPage {
  title: string;
  /** `webview.cspSource`: the origin our resources are served from. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** Shown until the script runs (then removed by it). */
  placeholder?: string;
}

function attr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

export function webviewHtml(p: WebviewPage): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${attr(p.nonce)}" href="${attr(p.styleUri)}">
<title>${attr(p.title)}</title>
</head>
<body>
${p.placeholder ? `<p id="loading" class="loading">${attr(p.placeholder)}</p>\n` : ''}<script nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}
