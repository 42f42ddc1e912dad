import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RelaisError } from '../../src/core/errors.js';
import { brazeToLiquid, checkTemplate, MAX_OUTPUT_CHARS, MAX_TEMPLATE_CHARS, RenderSession, renderTemplate, type RenderContext } from '../../src/core/liquid.js';

const ctx: RenderContext = {
  user: { first_name: 'Ana', last_name: 'Lima', email_address: 'ana@example.com', phone_number: '+33612345678', time_zone: 'Europe/Paris' },
  custom: { plan: 'gold', 'loyalty points': 120, tags: ['a', 'b'] },
  apiTriggerProperties: { code: 'SPRING', amount: 12.5 },
  canvasEntryProperties: { product: { name: 'Lamp' } },
};

const render = (source: string, c: RenderContext = ctx) => renderTemplate(source, c, 'messages.sms.body');

/** Rejects with invalid_request naming the field, the message matching `detail`. */
async function refused(run: () => Promise<unknown> | unknown, field: string, detail: RegExp): Promise<void> {
  await assert.rejects(async () => run(), (err: unknown) => {
    assert.ok(err instanceof RelaisError, String(err));
    assert.equal(err.code, 'invalid_request');
    assert.deepEqual(err.details, { field });
    assert.match(err.message, detail);
    return true;
  });
}

describe('Liquid: Braze attribute references', () => {
  it('reads the standard attributes through ${name}', async () => {
    assert.equal(await render('{{${first_name}}} {{${last_name}}} <{{${email_address}}}> {{${phone_number}}} {{${time_zone}}}'),
      'Ana Lima <ana@example.com> +33612345678 Europe/Paris');
  });

  it('reads custom attributes, API trigger and canvas entry properties, keys with spaces included', async () => {
    assert.equal(await render('{{custom_attribute.${plan}}}/{{custom_attribute.${loyalty points}}}/{{api_trigger_properties.${code}}}/{{canvas_entry_properties.${product}.name}}'),
      'gold/120/SPRING/Lamp');
  });

  it('renders unknown variables, attributes and properties empty', async () => {
    assert.equal(await render('[{{${nickname}}}|{{custom_attribute.${none}}}|{{api_trigger_properties.${none}}}|{{canvas_entry_properties.${none}}}|{{nothing}}]',
      { user: {}, custom: {} }), '[||||]');
  });

  it('default fills a missing or empty attribute, and only those', async () => {
    const source = "Hi {{${first_name} | default: 'there'}}!";
    assert.equal(await render(source), 'Hi Ana!');
    assert.equal(await render(source, { user: {}, custom: {} }), 'Hi there!');
    assert.equal(await render(source, { user: { first_name: '' }, custom: {} }), 'Hi there!');
    assert.equal(await render(source, { user: { first_name: null }, custom: {} }), 'Hi there!');
  });

  it('if/else, assign, capture and common filters see the same references', async () => {
    const source = "{% if custom_attribute.${plan} == 'gold' %}VIP{% else %}std{% endif %} "
      + '{% assign name = ${first_name} | upcase %}{{ name }} '
      + "{% capture total %}{{ api_trigger_properties.${amount} | times: 2 }}{% endcapture %}{{ total }} "
      + "{{ custom_attribute.${tags} | join: '+' }} {{ ${last_name} | downcase | prepend: '@' }} {{ 'abcdefgh' | truncate: 5 }}";
    assert.equal(await render(source), 'VIP ANA 25 a+b @lima ab...');
    assert.equal(await render(source, { ...ctx, custom: { plan: 'free' } }), 'std ANA 25  @lima ab...');
  });

  it('a name assigned by the template does not hide the attribute of the same name', async () => {
    assert.equal(await render("{% assign first_name = 'x' %}{{ first_name }}/{{${first_name}}}"), 'x/Ana');
  });

  it('text, string literals and raw blocks keep ${…} as written', async () => {
    const source = 'Price: ${amount} {{ "${first_name}" }} {% raw %}{{${first_name}}}{% endraw %} {{${first_name}}}';
    assert.equal(await render(source), 'Price: ${amount} ${first_name} {{${first_name}}} Ana');
    assert.equal(brazeToLiquid('{%- if ${first_name} -%}y{%- endif -%}', 'f'), '{%- if __braze_user.first_name -%}y{%- endif -%}');
  });

  it("the date filter reads 'now' from the caller's clock", async () => {
    assert.equal(await render("{{ 'now' | date: '%Y-%m-%d %H:%M' }}", { ...ctx, now: Date.UTC(2030, 5, 1, 8, 30) }), '2030-06-01 08:30');
  });

  it('an attribute object is read through its own properties only', async () => {
    assert.equal(await render('[{{ canvas_entry_properties.${product}.constructor }}{{ custom_attribute.${plan}.__proto__ }}]'), '[]');
  });
});

describe('Liquid: templates refused when saved', () => {
  it('a template that does not parse names the field', async () => {
    await refused(() => checkTemplate('{% if ${first_name} %}no end', 'messages.email.body'), 'messages.email.body', /^messages\.email\.body: the template does not parse: /);
    await refused(() => checkTemplate('{{ ${first_name} | no_such_filter }}', 'messages.sms.body'), 'messages.sms.body', /undefined filter: no_such_filter/);
    await refused(() => checkTemplate('{% connected_content https://example.com :save r %}', 'messages.sms.body'), 'messages.sms.body', /tag "connected_content" not found/);
    await refused(() => checkTemplate('{{${first_name}', 'messages.sms.body'), 'messages.sms.body', /does not parse/);
    await refused(() => checkTemplate('{{custom_attribute.${a"b}}}', 'messages.sms.body'), 'messages.sms.body', /is not an attribute reference/);
    await refused(() => checkTemplate('{{custom_attribute.${}}}', 'messages.sms.body'), 'messages.sms.body', /is not an attribute reference/);
  });

  it('include, render and layout are refused: no template reads a file', async () => {
    for (const tag of ['include', 'render', 'layout']) {
      await refused(() => checkTemplate(`{% ${tag} '/etc/passwd' %}`, 'messages.sms.body'), 'messages.sms.body', new RegExp(`the ${tag} tag is not supported`));
      await refused(() => render(`x{% ${tag} '/etc/passwd' %}`), 'messages.sms.body', new RegExp(`the ${tag} tag is not supported`));
    }
  });

  it('a template over the size limit is refused before it is parsed', async () => {
    checkTemplate('x'.repeat(MAX_TEMPLATE_CHARS), 'messages.email.body');
    await refused(() => checkTemplate('x'.repeat(MAX_TEMPLATE_CHARS + 1), 'messages.email.body'), 'messages.email.body', /at most 1000000 characters/);
  });

  it('a template nested deeper than the parser can go is refused, not a crash', async () => {
    await refused(() => checkTemplate('{% if a %}'.repeat(40_000) + '{% endif %}'.repeat(40_000), 'messages.email.body'), 'messages.email.body', /does not parse/);
  });
});

describe('Liquid: renders past the limits fail', () => {
  it('a loop over a billion items fails on the memory limit', async () => {
    await refused(() => render('{% for i in (1..1000000000) %}x{% endfor %}'), 'messages.sms.body', /could not be rendered: memory alloc limit exceeded/);
  });

  it('a string doubled by append fails on the memory limit', async () => {
    await refused(() => render("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}"),
      'messages.sms.body', /memory alloc limit exceeded/);
  });

  it('nested loops that stay under the memory limit fail on the render time limit', async () => {
    await refused(() => render('{% for i in (1..2000) %}{% for j in (1..2000) %}{% for k in (1..2000) %}{% endfor %}{% endfor %}{% endfor %}'),
      'messages.sms.body', /could not be rendered: template render limit exceeded/);
  });

  it('output beyond the limit is refused, not handed on', async () => {
    const line = 'x'.repeat(1000);
    assert.equal((await render(`{% for i in (1..${MAX_OUTPUT_CHARS / 1000}) %}${line}{% endfor %}`)).length, MAX_OUTPUT_CHARS);
    await refused(() => render(`{% for i in (1..${MAX_OUTPUT_CHARS / 1000 + 1}) %}${line}{% endfor %}`), 'messages.sms.body', /rendered text is longer than 1000000 characters/);
  });
});

describe('Liquid: RenderSession', () => {
  it('renders each template for every user, parsing it once', async () => {
    const session = new RenderSession(1000);
    const names = ['Ana', 'Bo', 'Cy'];
    const out = [];
    for (const first_name of names) out.push(await session.render('Hi {{${first_name}}}', { user: { first_name }, custom: {} }, 'messages.sms.body'));
    assert.deepEqual(out, ['Hi Ana', 'Hi Bo', 'Hi Cy']);
  });

  it('refuses every render once the renders of the call have used its budget, however short each one is', async () => {
    const session = new RenderSession(1);
    const heavy = '{% for i in (1..200000) %}{% endfor %}done';
    await refused(async () => {
      for (let i = 0; i < 100; i++) await session.render(heavy, ctx, 'messages.sms.body');
    }, 'messages.sms.body', /rendering the templates of this call took more than 1 ms/);
    assert.equal(session.exhausted, true);
    await refused(() => session.render('x', ctx, 'messages.email.subject'), 'messages.email.subject', /took more than 1 ms/);
  });
});
