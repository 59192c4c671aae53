import t from 'tap';
import { formatTable } from './table.ts';

const columns = [
  { header: 'ID', value: (row: { id: string; text: string }) => row.id },
  { header: 'TEXT', value: (row: { id: string; text: string }) => row.text, maxWidth: 8 },
];

t.test('columns are padded to the widest cell; the last is not padded', async (t) => {
  t.equal(
    formatTable(columns, [
      { id: 'a', text: 'short' },
      { id: 'longer', text: 'x' },
    ]),
    ['ID      TEXT', 'a       short', 'longer  x'].join('\n'),
  );
});

t.test('long cells are cut with an ellipsis and line breaks flattened', async (t) => {
  t.equal(formatTable(columns, [{ id: 'a', text: 'one\ntwo three four' }]), 'ID  TEXT\na   one two…');
});
