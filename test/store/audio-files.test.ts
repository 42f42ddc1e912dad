import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../../src/core/ports.js';
import type { AudioFile } from '../../src/core/types.js';
import { dialectSuite } from '../helpers/store.js';

const T = Date.UTC(2031, 0, 1, 12, 0, 0);

const file = (accountId: number, token: string, bytes = Buffer.from([0, 1, 2, 255, 0])): Omit<AudioFile, 'id'> & { bytes: Uint8Array } => ({
  kind: 'upload',
  accountId, token, name: 'annonce', contentType: 'audio/wav', bytes, size: bytes.length, durationMs: 1500, createdAt: T,
});

const account = (store: Store, name: string) => store.autocommit.createAccount({ name, parentId: null, currency: 'EUR', createdAt: T });

dialectSuite('store: audio files', ({ getStore }) => {
  test('bytes come back exactly, NULs and high bytes included; a taken token is refused without a write', async () => {
    const store = getStore();
    const a = await account(store, 'a');
    const b = await account(store, 'b');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    const stored = await store.autocommit.insertAudioFile(file(a.id, 'Tok0000001', bytes));
    assert.deepEqual(stored, { id: stored!.id, accountId: a.id, kind: 'upload', token: 'Tok0000001', name: 'annonce', contentType: 'audio/wav', size: 70_000, durationMs: 1500, createdAt: T });
    assert.deepEqual(Buffer.from((await store.autocommit.audioFileBytes(a.id, 'Tok0000001'))!), bytes);
    // The token is unique over every account: the caller draws another.
    assert.equal(await store.autocommit.insertAudioFile(file(b.id, 'Tok0000001')), undefined);
    assert.deepEqual(await store.autocommit.listAudioFiles(b.id), []);
  });

  test('lookups, lists and renames are the account\'s own', async () => {
    const store = getStore();
    const a = await account(store, 'a');
    const b = await account(store, 'b');
    await store.autocommit.insertAudioFile(file(a.id, 'Tok0000002'));
    await store.autocommit.insertAudioFile(file(a.id, 'Tok0000003'));
    assert.deepEqual((await store.autocommit.listAudioFiles(a.id)).map((f) => f.token), ['Tok0000002', 'Tok0000003']);
    assert.equal(await store.autocommit.findAudioFile(b.id, 'Tok0000002'), undefined);
    assert.equal(await store.autocommit.audioFileBytes(b.id, 'Tok0000002'), undefined);
    assert.equal(await store.autocommit.renameAudioFile(b.id, 'Tok0000002', 'volé'), undefined);
    assert.equal((await store.autocommit.renameAudioFile(a.id, 'Tok0000002', 'nouveau'))?.name, 'nouveau');
    assert.equal((await store.autocommit.findAudioFile(a.id, 'Tok0000002'))?.name, 'nouveau');
    assert.equal((await store.autocommit.findAudioFile(a.id, 'Tok0000003'))?.name, 'annonce');
  });

  test('a call\'s synthesised speech is found and read like an upload, but never listed nor renamed', async () => {
    const store = getStore();
    const a = await account(store, 'a');
    await store.autocommit.insertAudioFile(file(a.id, 'Upl0000001'));
    const speech = await store.autocommit.insertAudioFile({ ...file(a.id, 'Spe0000001'), kind: 'speech', name: 'tts' });
    assert.equal(speech?.kind, 'speech');
    assert.deepEqual((await store.autocommit.listAudioFiles(a.id)).map((f) => f.token), ['Upl0000001']);
    assert.equal(await store.autocommit.renameAudioFile(a.id, 'Spe0000001', 'renommé'), undefined);
    assert.deepEqual(await store.autocommit.findAudioFile(a.id, 'Spe0000001'), speech);
    assert.deepEqual(Buffer.from((await store.autocommit.audioFileBytes(a.id, 'Spe0000001'))!), Buffer.from([0, 1, 2, 255, 0]));
  });
});
