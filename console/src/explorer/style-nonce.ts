/**
 * The explorer's CSP allows `<style>` elements only with the nonce the gateway put in this response
 * (`<meta property="csp-nonce" nonce="…">`). Monaco, GraphiQL's editor, creates its `<style>` elements at run time
 * through `document.createElement('style')` and has no option to give them a nonce, so every `<style>` this page's
 * scripts create gets it here. Markup injected into the page is parsed, not created by script, so a `<style>` in
 * it still carries no nonce and is refused. Imported first, before anything that could create a style.
 */
const nonce = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce;

if (nonce) {
  const createElement = Document.prototype.createElement;
  Document.prototype.createElement = function (
    this: Document,
    tagName: string,
    options?: ElementCreationOptions,
  ) {
    const element = createElement.call(this, tagName, options);
    if (element instanceof HTMLStyleElement) element.nonce = nonce;
    return element;
  } as typeof createElement;
}

export {};
