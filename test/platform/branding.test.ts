import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { createUser, signInPage } from '../helpers/auth.js';

// An OPCC is not a central government service: no crown, royal arms, Crown copyright or
// Open Government Licence on its pages; the office's own name (OFFICE_NAME) instead.

const t = useTestApp({ config: { officeName: 'Exampleshire Police and Crime Commissioner' } });

function expectOfficeBranding(html: string) {
  expect(html).not.toContain('Crown copyright');
  expect(html).not.toContain('Open Government Licence');
  expect(html).not.toContain('govuk-footer__crown');
  expect(html).not.toContain('govuk-footer__licence');
  expect(html).not.toContain('govuk-logo'); // the crown's SVG
  expect(html).not.toMatch(/govuk-icon|favicon\.ico|govuk-opengraph/);
  expect(html).toContain('Exampleshire Police and Crime Commissioner');
}

describe('branding', () => {
  it('public pages carry the office name and no GOV.UK crown, Crown copyright or OGL', async () => {
    for (const url of ['/contact', '/disclosure-log', '/sign-in']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expectOfficeBranding(response.body);
      expect(response.body).toMatch(/<title>[^<]*Exampleshire Police and Crime Commissioner/);
    }
  });

  it('titles name the page, the service and the office, the service once on its own start page', async () => {
    const titleOf = async (url: string) =>
      /<title>([^<]*)<\/title>/.exec((await t.app.inject({ method: 'GET', url })).body)?.[1];
    expect(await titleOf('/contact')).toBe(
      'Contact the Police and Crime Commissioner – Exampleshire Police and Crime Commissioner',
    );
    expect(await titleOf('/consultations')).toBe(
      'Consultations – Exampleshire Police and Crime Commissioner',
    );
    expect(await titleOf('/sign-in')).toBe(
      'Sign in – Staff area – Exampleshire Police and Crime Commissioner',
    );
  });

  it('staff pages do too', async () => {
    const manager = await createUser(t.app, 'manager');
    const session = await signInPage(t.app, manager);
    for (const url of ['/staff', '/casework', '/stats']) {
      const response = await session.get(url);
      expect(response.statusCode, url).toBe(200);
      expectOfficeBranding(response.body);
    }
  });
});
