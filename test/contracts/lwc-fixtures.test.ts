import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { salesforceWriteChangesSchema } from '../../shared/src/api/answer-schemas';
import { SALESFORCE_ENDPOINTS } from '../../shared/src/api/endpoints';
import answers from '../../salesforce-lwc/force-app/main/default/lwc/dataConnectors/__tests__/serverAnswers.json';

/**
 * The Salesforce component's jest suite cannot import TypeScript, so it plays the server with
 * answers kept in serverAnswers.json. This holds every one of them to the Salesforce endpoints'
 * answer schemas (Apex hands the server's JSON on as it is): a contract change that the
 * component's fixtures do not follow fails here, not in an org.
 */

const TESTS_DIR = 'salesforce-lwc/force-app/main/default/lwc/dataConnectors/__tests__';
const endpoints = SALESFORCE_ENDPOINTS;

/** Read back whole: nothing the fixture says is unknown to the contract. */
function expectAnswerOf(schema: z.core.$ZodType, answer: unknown): void {
  const parsed = z.safeParse(schema, answer);
  expect(parsed.error?.issues ?? []).toEqual([]);
  expect(parsed.data).toStrictEqual(answer);
}

describe("the Salesforce component's fixture answers fit the contracts", () => {
  it('has only the sections checked below', () => {
    expect(Object.keys(answers).sort()).toEqual([
      'connectorList',
      'connectors',
      'macroList',
      'macroResults',
      'macros',
      'runResults',
    ]);
  });

  it('listConnectors: the list with every fixture connector in it', () => {
    const connectors = Object.values(answers.connectors);
    expect(connectors.length).toBeGreaterThan(0);
    expectAnswerOf(endpoints.listConnectors.answer, { ...answers.connectorList, connectors });
  });

  it('listMacros: the list with every fixture macro in it', () => {
    const macros = Object.values(answers.macros);
    expect(macros.length).toBeGreaterThan(0);
    expectAnswerOf(endpoints.listMacros.answer, { ...answers.macroList, macros });
  });

  it.each(Object.entries(answers.runResults))('runConnector: %s', (_name, answer) => {
    expectAnswerOf(endpoints.runConnector.answer, answer);
    // `changes` is open in the shared view; on a record it has the Salesforce write's shape.
    if (answer.writes.changes !== null) {
      expectAnswerOf(salesforceWriteChangesSchema, answer.writes.changes);
    }
  });

  it.each(Object.entries(answers.macroResults))('runMacro: %s', (_name, answer) => {
    expectAnswerOf(endpoints.runMacro.answer, answer);
  });

  it('would catch a fixture that drifted from the contract', () => {
    const { trim: _trim, ...withoutTrim } = answers.connectors.orderLookup.inputs[0] ?? {};
    const drifted = { ...answers.connectors.orderLookup, inputs: [withoutTrim] };
    const parsed = z.safeParse(endpoints.listConnectors.answer, {
      ...answers.connectorList,
      connectors: [drifted],
    });
    expect(parsed.success).toBe(false);
  });

  it('is where the jest suite takes its answers from, not object literals of its own', () => {
    const suite = readFileSync(`${TESTS_DIR}/dataConnectors.test.js`, 'utf8');
    expect(suite).toContain("from './serverAnswers.json'");
    // Fields only a server answer has: an answer written inline would bring one of them back.
    for (const field of ['upstreamOutcome', 'lastRun', 'unavailable', 'resumed', 'durationMs']) {
      expect(suite, field).not.toMatch(new RegExp(`\\b${field}\\s*:`));
    }
  });
});
