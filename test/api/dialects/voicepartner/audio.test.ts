import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_TOKEN } from '../../../helpers/app.js';
import { parisTimestamp } from '../partner/http.js';
import { errorBody, mp3File, uploadForm, voiceApp, wavFile, type VoiceApp } from './support.js';

const BAD_REQUEST = errorBody(400, 'Mauvaise requête');
const TOO_LARGE = errorBody(413, 'La requête est trop volumineuse');

const upload = (v: VoiceApp, fields: Record<string, string>, files: [string, Buffer, string, string][]) =>
  v.request('POST', '/audio-file/upload', { form: uploadForm(fields, files) });

const wav = (bytes: Buffer, filename = 'message.wav'): [string, Buffer, string, string] => ['file', bytes, filename, 'audio/wav'];

voiceApp('Voice Partner audio files', (app) => {
  test('upload a WAV: token, name from the file, size and duration read from it; the list shows it exactly', async () => {
    const v = app();
    const a = await v.account();
    const bytes = wavFile(7.25);
    assert.equal(bytes.length, 116_044);
    const r = await upload(v, { apiKey: a.apiKey }, [wav(bytes, 'bienvenue.wav')]);
    assert.equal(r.status, 200, r.text);
    assert.match(r.body.tokenAudio, /^[A-Za-z0-9]{10}$/);
    assert.equal(r.text, JSON.stringify({ success: true, tokenAudio: r.body.tokenAudio, filename: 'bienvenue', size: '113.3Ko', duration: '0:07' }));

    const list = await v.request('GET', `/audios/${a.apiKey}`);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.text, JSON.stringify({
      nb_datas: 1,
      datas: [{
        name: 'bienvenue', token: r.body.tokenAudio, size: '113.3Ko', duration: '0:07',
        created_at: { date: `${parisTimestamp(v.t.clock.now())}.000000`, timezone_type: 3, timezone: 'Europe/Paris' },
      }],
    }));
    assert.deepEqual((await v.request('GET', `/audios?apiKey=${a.apiKey}`)).body, list.body);
    // The bytes are kept as uploaded, for the calls that will play them.
    assert.deepEqual(Buffer.from((await v.t.store.autocommit.audioFileBytes(a.id, r.body.tokenAudio))!), bytes);
  });

  test('upload an MP3 under a name of its own; files are listed oldest first', async () => {
    const v = app();
    const a = await v.account();
    const first = await upload(v, { apiKey: a.apiKey }, [wav(wavFile(65))]);
    assert.equal(first.body.duration, '1:05');
    // 100 frames of 1152 samples at 44.1 kHz: 2.61 s.
    const r = await upload(v, { apiKey: a.apiKey, filename: 'Promo de printemps' }, [['file', mp3File(100), 'x.mp3', 'audio/mpeg']]);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, JSON.stringify({ success: true, tokenAudio: r.body.tokenAudio, filename: 'Promo de printemps', size: '40.7Ko', duration: '0:03' }));
    const list = await v.request('GET', `/audios/${a.apiKey}`);
    assert.deepEqual(list.body.datas.map((d: { name: string; token: string }) => [d.name, d.token]), [['message', first.body.tokenAudio], ['Promo de printemps', r.body.tokenAudio]]);
    assert.equal(list.body.nb_datas, 2);
  });

  test('refused: text named .wav, audio of another type, no file, two files, 11 MB, a bad name, a broken body; nothing is stored', async () => {
    const v = app();
    const a = await v.account();
    const text = Buffer.from('ceci n’est pas un fichier audio\n'.repeat(100));
    const flac = Buffer.concat([Buffer.from('fLaC'), Buffer.from([0x80, 0, 0, 34]), Buffer.alloc(34)]);
    for (const files of [[wav(text, 'fake.wav')], [wav(flac, 'son.flac')], [], [['other', wavFile(1), 'a.wav', 'audio/wav']]] as [string, Buffer, string, string][][]) {
      const r = await upload(v, { apiKey: a.apiKey }, files);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.text, BAD_REQUEST);
    }
    for (const filename of ['ab', 'x'.repeat(51), 'promo\u202Egnp.wav', 'ab\u0007cd']) {
      const r = await upload(v, { apiKey: a.apiKey, filename }, [wav(wavFile(1))]);
      assert.equal(r.status, 400, `${filename}: ${r.text}`);
    }
    // The name from a file called `a.wav` is too short: the client must give one.
    assert.equal((await upload(v, { apiKey: a.apiKey }, [wav(wavFile(1), 'a.wav')])).status, 400);
    const json = await v.request('POST', '/audio-file/upload', { body: { apiKey: a.apiKey, file: 'UklGRg==' } });
    assert.equal(json.status, 400, json.text);

    const two = await upload(v, { apiKey: a.apiKey }, [wav(wavFile(1)), wav(wavFile(1))]);
    assert.equal(two.status, 413, two.text);
    assert.equal(two.text, TOO_LARGE);
    const big = await upload(v, { apiKey: a.apiKey }, [wav(Buffer.concat([wavFile(1), Buffer.alloc(11 * 1024 * 1024)]))]);
    assert.equal(big.status, 413, big.text);
    assert.equal(big.text, TOO_LARGE);
    const fields = await upload(v, Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}`, 'x'])), [wav(wavFile(1))]);
    assert.equal(fields.status, 413, fields.text);
    const longField = await upload(v, { apiKey: a.apiKey, filename: 'y'.repeat(5000) }, [wav(wavFile(1))]);
    assert.equal(longField.status, 400, longField.text);

    // A multipart body cut short, or without a boundary: malformed, never a 500.
    const part = `--xx\r\nContent-Disposition: form-data; name="apiKey"\r\n\r\n${a.apiKey}\r\n--xx\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF`;
    for (const [raw, type] of [[part, 'multipart/form-data; boundary=xx'], ['garbage', 'multipart/form-data']]) {
      const r = await v.request('POST', '/audio-file/upload', { raw, headers: { 'content-type': type! } });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.text, BAD_REQUEST);
    }

    assert.deepEqual((await v.request('GET', `/audios/${a.apiKey}`)).body, { nb_datas: 0, datas: [] });
  });

  test('refused: a WAV whose header claims more time than its bytes hold, and audio over ten minutes; nothing is stored', async () => {
    const v = app();
    const a = await v.account();
    // 15.7 KB declaring 1 byte a second: 266 minutes by its header.
    const lying = wavFile(1);
    lying.writeUInt32LE(1, 24);
    lying.writeUInt32LE(1, 28);
    lying.writeUInt16LE(1, 32);
    // Consistent, but at 1 Hz: 8 000 s of audio in 16 KB.
    const slow = wavFile(1);
    slow.writeUInt32LE(1, 24);
    slow.writeUInt32LE(2, 28);
    for (const file of [lying, slow, wavFile(601)]) {
      const r = await upload(v, { apiKey: a.apiKey }, [wav(file)]);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.text, BAD_REQUEST);
    }
    assert.deepEqual((await v.request('GET', `/audios/${a.apiKey}`)).body, { nb_datas: 0, datas: [] });
    assert.equal((await upload(v, { apiKey: a.apiKey }, [wav(wavFile(599))])).status, 200);
  });

  test('an upload without a key or with a wrong one is refused before anything is stored', async () => {
    const v = app();
    for (const fields of [{}, { apiKey: 'nope' }] as Record<string, string>[]) {
      const r = await upload(v, fields, [wav(wavFile(1))]);
      assert.equal(r.status, 401, r.text);
      assert.equal(r.text, errorBody(10, 'Clé API incorrecte'));
    }
  });

  test('rename: the new name; unknown token AUDIO_FILE_NOT_FOUND 404; bad length 400; no token TOKEN_AUDIO_REQUIRED', async () => {
    const v = app();
    const a = await v.account();
    const token = (await upload(v, { apiKey: a.apiKey }, [wav(wavFile(2))])).body.tokenAudio as string;
    const r = await v.request('POST', '/audio-file/rename', { body: { apiKey: a.apiKey, tokenAudio: token, filename: 'Relance impayés' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, JSON.stringify({ success: true, filename: 'Relance impayés', tokenAudio: token }));
    assert.equal((await v.request('GET', `/audios/${a.apiKey}`)).body.datas[0].name, 'Relance impayés');

    const unknown = await v.request('POST', '/audio-file/rename', { body: { apiKey: a.apiKey, tokenAudio: 'ZZZZZZZZZZ', filename: 'abc' } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.text, errorBody('AUDIO_FILE_NOT_FOUND', 'Le fichier audio est introuvable'));
    for (const filename of ['ab', 'x'.repeat(51), undefined]) {
      const bad = await v.request('POST', '/audio-file/rename', { body: { apiKey: a.apiKey, tokenAudio: token, filename } });
      assert.equal(bad.status, 400, String(filename));
      assert.equal(bad.text, BAD_REQUEST);
    }
    const noToken = await v.request('POST', '/audio-file/rename', { body: { apiKey: a.apiKey, filename: 'abc' } });
    assert.equal(noToken.status, 400);
    assert.equal(noToken.text, errorBody('TOKEN_AUDIO_REQUIRED', 'Le token de l’audio est requis'));
    assert.equal((await v.request('GET', `/audios/${a.apiKey}`)).body.datas[0].name, 'Relance impayés');
  });

  test('another account neither sees nor renames a file', async () => {
    const v = app();
    const a = await v.account();
    const b = await v.account();
    const token = (await upload(v, { apiKey: a.apiKey }, [wav(wavFile(1), 'secret.wav')])).body.tokenAudio as string;
    assert.deepEqual((await v.request('GET', `/audios/${b.apiKey}`)).body, { nb_datas: 0, datas: [] });
    const r = await v.request('POST', '/audio-file/rename', { body: { apiKey: b.apiKey, tokenAudio: token, filename: 'volé' } });
    assert.equal(r.status, 404);
    assert.equal((await v.request('GET', `/audios/${a.apiKey}`)).body.datas[0].name, 'secret');
  });

  test('a sub-account and its parent each see only their own files', async () => {
    const v = app();
    const parent = await v.account();
    const r = await v.t.request('POST', '/admin/v1/accounts', { body: { name: 'vp-sub', credits: '1', parentId: parent.id }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(r.status, 201, r.text);
    const sub = r.body.apiKey as string;
    const mine = (await upload(v, { apiKey: parent.apiKey }, [wav(wavFile(1), 'parent.wav')])).body.tokenAudio;
    const theirs = (await upload(v, { apiKey: sub }, [wav(wavFile(1), 'child.wav')])).body.tokenAudio;
    assert.deepEqual((await v.request('GET', `/audios/${parent.apiKey}`)).body.datas.map((d: { token: string }) => d.token), [mine]);
    assert.deepEqual((await v.request('GET', `/audios/${sub}`)).body.datas.map((d: { token: string }) => d.token), [theirs]);
    assert.equal((await v.request('POST', '/audio-file/rename', { body: { apiKey: sub, tokenAudio: mine, filename: 'abc' } })).status, 404);
  });
});
