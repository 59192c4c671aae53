import t from 'tap';
import { csvField, toCsv } from './csv.ts';

t.test('fields are quoted only when RFC 4180 needs it', async (t) => {
  t.equal(csvField('plain'), 'plain');
  t.equal(csvField('a,b'), '"a,b"');
  t.equal(csvField('say "hi"'), '"say ""hi"""');
  t.equal(csvField('two\nlines'), '"two\nlines"');
  t.equal(csvField(null), '');
  t.equal(csvField(3), '3');
});

t.test('a header row, then records, each line ending in CRLF', async (t) => {
  t.equal(toCsv(['a', 'b'], [['1', 'x,y']]), 'a,b\r\n1,"x,y"\r\n');
  t.equal(toCsv(['a'], []), 'a\r\n');
});
