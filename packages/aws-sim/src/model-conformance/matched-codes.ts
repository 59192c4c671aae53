/**
 * The AWS error codes rootaudit's collectors act on, read from their source: string literals
 * compared with an error's `.code` (`code === 'NoSuchEntity'`), or held in a Set such a code is
 * looked up in (`NOT_READY.has(error.collectionError.code)`). Each is paired with the operations
 * whose Commands the nearest enclosing code constructs: the calls that error comes from.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { SERVICE_PREFIX } from '../../../../test/deploy/sdk-actions.ts';

export interface MatchedCode {
  code: string;
  /** IAM actions (`iam:GetLoginProfile`) of the calls the code is matched after. */
  actions: string[];
  /** `path:line` of the comparison. */
  where: string;
}

const endsWithCode = (node: ts.Node) => /\.code$/.test(node.getText());

// Node's system error codes (ECONNREFUSED, ETIMEDOUT…) are compared with `.code` too, for a
// connection that failed before any AWS answer: no service model declares them, nor should it.
const isNodeSystemCode = (code: string) => /^E[A-Z0-9_]+$/.test(code);

export function matchedCodesInSource(file: string, text: string): MatchedCode[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const commands = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const prefix = SERVICE_PREFIX[statement.moduleSpecifier.text];
    const bindings = statement.importClause?.namedBindings;
    if (!prefix || !bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      const imported = (element.propertyName ?? element.name).text;
      if (imported.endsWith('Command')) commands.set(element.name.text, `${prefix}:${imported.slice(0, -7)}`);
    }
  }
  const sets = new Map<string, string[]>();
  const sites: { codes: string[]; node: ts.Node }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      ts.isNewExpression(node.initializer) &&
      node.initializer.expression.getText() === 'Set'
    ) {
      const list = node.initializer.arguments?.[0];
      if (list && ts.isArrayLiteralExpression(list)) {
        sets.set(
          node.name.text,
          list.elements.filter(ts.isStringLiteral).map((literal) => literal.text),
        );
      }
    }
    if (
      ts.isBinaryExpression(node) &&
      [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(
        node.operatorToken.kind,
      )
    ) {
      const [literal, other] = ts.isStringLiteral(node.right)
        ? [node.right, node.left]
        : [node.left, node.right];
      if (ts.isStringLiteral(literal) && !ts.isTypeOfExpression(other) && endsWithCode(other))
        sites.push({ codes: [literal.text], node });
    }
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'has' &&
      node.arguments[0] !== undefined &&
      endsWithCode(node.arguments[0])
    ) {
      const codes = sets.get(node.expression.expression.getText());
      if (codes) sites.push({ codes, node });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);

  const constructed = (node: ts.Node): string[] => {
    const found = new Set<string>();
    const walk = (n: ts.Node): void => {
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression)) {
        const action = commands.get(n.expression.text);
        if (action) found.add(action);
      }
      ts.forEachChild(n, walk);
    };
    walk(node);
    return [...found].sort();
  };
  return sites.flatMap(({ codes, node }) => {
    let actions: string[] = [];
    for (
      let ancestor: ts.Node | undefined = node;
      ancestor && actions.length === 0;
      ancestor = ancestor.parent
    ) {
      actions = constructed(ancestor);
    }
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    return codes
      .filter((code) => !isNodeSystemCode(code))
      .map((code) => ({ code, actions, where: `${file}:${line}` }));
  });
}

/** Every matched code in the `.ts` files (tests left out) under `directory`. */
export async function matchedCodesInTree(root: string, directory: string): Promise<MatchedCode[]> {
  const entries = await readdir(join(root, directory), { withFileTypes: true, recursive: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  const out: MatchedCode[] = [];
  for (const file of files)
    out.push(...matchedCodesInSource(relative(root, file), await readFile(file, 'utf8')));
  return out;
}
