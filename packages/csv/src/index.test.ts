import t from 'tap';
import { csvCell, csvRow, toCsv } from './index.ts';

t.test('fields are quoted only when RFC 4180 needs it', async (t) => {
  t.equal(csvCell('plain'), 'plain');
  t.equal(csvCell('a,b'), '"a,b"');
  t.equal(csvCell('say "hi"'), '"say ""hi"""');
  t.equal(csvCell('two\nlines'), '"two\nlines"');
  t.equal(csvCell(null), '');
  t.equal(csvCell(undefined), '');
  t.equal(csvCell(3), '3');
  t.equal(csvCell(false), 'false');
});

t.test('a text cell a spreadsheet would run as a formula is prefixed with a quote', async (t) => {
  t.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  t.equal(csvCell('+1+1'), "'+1+1");
  t.equal(csvCell('-2+3'), "'-2+3");
  t.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  t.equal(csvCell('\t=1'), "'\t=1");
  t.equal(csvCell('\r=1'), `"'\r=1"`);
  t.equal(csvCell('a=b'), 'a=b', 'only a leading character counts');
  t.equal(csvCell(-5), '-5', 'numbers are written as numbers');
});

t.test('rows end in CRLF; a header row comes first', async (t) => {
  t.equal(csvRow(['a', 1, null]), 'a,1,\r\n');
  t.equal(toCsv(['a', 'b'], [['1', 'x,y']]), 'a,b\r\n1,"x,y"\r\n');
  t.equal(toCsv(['a'], []), 'a\r\n');
});
