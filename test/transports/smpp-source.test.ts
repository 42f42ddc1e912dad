import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { eachDialect, phone, scheduleSms } from '../helpers/dispatch.js';
import { TestSmsc } from './smpp-server.js';

const MIN = 60_000;

eachDialect('smpp end to end: RELAIS_SMPP_SOURCE, the sender of an SMS that names none', (dialect) => {
  test('an SMS naming no sender goes out from RELAIS_SMPP_SOURCE (TON/NPI by its form), and a STOP sent back to it stops the number', async () => {
    const server = await new TestSmsc().start();
    try {
      const t = await startTestApp({ dialect, env: { RELAIS_SMS_TRANSPORT: 'smpp', RELAIS_SMPP_URL: server.url(), RELAIS_SMPP_SOURCE: '+33700000009' } });
      try {
        const { id: accountId } = await t.account('100');
        const to = phone(1);
        const m = await scheduleSms(t.core, accountId, [to], t.clock.now() + MIN);
        t.clock.set(m.sendAt);
        await t.dispatcher.drain();
        assert.deepEqual(server.submits.map(({ pdu }) => [pdu.source_addr_ton, pdu.source_addr_npi, pdu.source_addr]), [[1, 1, '33700000009']]);
        assert.equal(await server.mo(to.slice(1), '33700000009', 'STOP'), 0);
        assert.deepEqual((await t.store.autocommit.listSuppressions(accountId, 'sms')).map((x) => x.address), [to]);
      } finally {
        await t.close();
      }
    } finally {
      await server.close();
    }
  });
});
