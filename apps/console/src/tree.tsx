/**
 * The organization as a tree of OUs and accounts, built from each account's OU path and coloured by
 * its worst failing severity. OUs are <details> (keyboard and screen readers know them); an OU's
 * accounts are rendered only while it is open, so a 10,000-account organization stays light.
 */
import { useState } from 'preact/hooks';
import { href } from './router.ts';
import { type Account, SEVERITIES, type Severity } from './types.ts';
import { SeverityBadge } from './ui.tsx';

interface OuNode {
  id: string;
  name: string;
  children: Map<string, OuNode>;
  accounts: Account[];
  worst: Severity | null;
  failing: number;
  total: number;
}

const rank = (severity: Severity | null) => (severity ? SEVERITIES.indexOf(severity) : SEVERITIES.length);
const worse = (a: Severity | null, b: Severity | null) => (rank(a) <= rank(b) ? a : b);

export function buildTree(accounts: Account[], ouNames: Map<string, string>): OuNode {
  const root: OuNode = {
    id: 'root',
    name: 'Organization',
    children: new Map(),
    accounts: [],
    worst: null,
    failing: 0,
    total: 0,
  };
  for (const account of accounts) {
    const path = (account.ouPath ?? '').split('/').filter(Boolean);
    let node = root;
    for (const ou of path) {
      let child = node.children.get(ou);
      if (!child) {
        child = {
          id: ou,
          name: ouNames.get(ou) ?? ou,
          children: new Map(),
          accounts: [],
          worst: null,
          failing: 0,
          total: 0,
        };
        node.children.set(ou, child);
      }
      node = child;
    }
    node.accounts.push(account);
  }
  const settle = (node: OuNode) => {
    for (const child of node.children.values()) {
      settle(child);
      node.worst = worse(node.worst, child.worst);
      node.failing += child.failing;
      node.total += child.total;
    }
    for (const account of node.accounts) {
      node.worst = worse(node.worst, account.worstFailingSeverity);
      node.failing += account.failingFindings;
      node.total += 1;
    }
  };
  settle(root);
  return root;
}

function OuBranch({ node, open: initiallyOpen }: { node: OuNode; open: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <li>
      <details open={open} onToggle={(event) => setOpen((event.currentTarget as HTMLDetailsElement).open)}>
        <summary>
          <span class={`swatch sev-${node.worst ?? 'none'}`} aria-hidden="true" />
          <strong>{node.name}</strong> <span class="muted-text">({node.id})</span> — {node.total}{' '}
          {node.total === 1 ? 'account' : 'accounts'}, {node.failing} failing findings, worst:{' '}
          <SeverityBadge severity={node.worst} />
        </summary>
        {open && (
          <ul>
            {[...node.children.values()].map((child) => (
              <OuBranch key={child.id} node={child} open={false} />
            ))}
            {node.accounts.map((account) => (
              <li key={account.id} class="account-leaf">
                <span class={`swatch sev-${account.worstFailingSeverity ?? 'none'}`} aria-hidden="true" />
                <a href={href(`/accounts/${account.id}`)}>
                  {account.name} ({account.id})
                </a>{' '}
                —{' '}
                {account.status === 'ACTIVE'
                  ? `${account.failingFindings} failing`
                  : account.status.toLowerCase()}
                {account.worstFailingSeverity && (
                  <>
                    , worst <SeverityBadge severity={account.worstFailingSeverity} />
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </details>
    </li>
  );
}

export function OrgTree({ root }: { root: OuNode }) {
  const top = root.children.size === 1 && root.accounts.length === 0 ? [...root.children.values()][0]! : root;
  return (
    <ul class="tree">
      <OuBranch node={top} open={true} />
    </ul>
  );
}
