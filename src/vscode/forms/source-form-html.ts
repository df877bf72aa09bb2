/**
 * The source form's page. Pure (no 'vscode' import) so the browser test loads exactly this page; the
 * CSP is the model editors' (src/vscode/editors/html.ts): our script by nonce, our stylesheet by origin,
 * nothing remote, no inline styles.
 */
import { contentSecurityPolicy, type WebviewPage } from '../editors/html';

function attr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function sourceFormHtml(p: WebviewPage): string {
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
<script nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}
