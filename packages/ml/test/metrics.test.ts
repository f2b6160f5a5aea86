import { describe, expect, it } from 'vitest';
import {
  MetricsInputError,
  accuracyScore,
  classificationReport,
  confusionMatrix,
  formatFixed,
  precisionRecallFscoreSupport,
} from '../src/metrics.js';
import type { Label } from '../src/metrics.js';
import { metricsFixtures } from './helpers/model-fixtures.js';

const cases = metricsFixtures().map((c) => [c.name, c] as const);

describe('metrics against scikit-learn', () => {
  it.each(cases)('%s: accuracy, confusion matrix, per-class scores', (_, c) => {
    expect(accuracyScore(c.y_true, c.y_pred)).toBe(c.accuracy);
    const labels = c.confusion_labels ?? undefined;
    expect(confusionMatrix(c.y_true, c.y_pred, { labels })).toEqual(c.confusion_matrix);
    const prfs = precisionRecallFscoreSupport(c.y_true, c.y_pred, { labels: c.labels ?? undefined });
    expect(prfs.precision).toEqual(c.prfs.precision);
    expect(prfs.recall).toEqual(c.prfs.recall);
    expect(prfs.fScore).toEqual(c.prfs.fscore);
    expect(prfs.support).toEqual(c.prfs.support);
    expect(prfs.zeroDivision.precision).toEqual(c.ill_defined_precision);
    expect(prfs.zeroDivision.recall).toEqual(c.ill_defined_recall);
  });

  it.each(cases)('%s: classification report text and output_dict', (_, c) => {
    const report = classificationReport(c.y_true, c.y_pred, {
      labels: c.labels ?? undefined,
      targetNames: c.target_names ?? undefined,
      digits: c.digits,
    });
    expect(report.text).toBe(c.report_text);
    expect(report.dict).toEqual(c.report_dict);
    expect(Object.keys(report.dict)).toEqual(Object.keys(c.report_dict));
    const accuracyRow = c.report_dict.accuracy;
    expect(report.accuracy).toBe(typeof accuracyRow === 'number' ? accuracyRow : null);
    expect(report.microAvg === null).toBe(typeof accuracyRow === 'number');
    expect(report.zeroDivision.precision).toEqual(c.ill_defined_precision);
  });
});

describe('classificationReport structure', () => {
  it('gives typed rows in label order with names, and averages', () => {
    const report = classificationReport([2, 0, 1, 1], [2, 0, 1, 0], { targetNames: ['a', 'b', 'c'] });
    expect(report.classes.map((c) => [c.label, c.name, c.support])).toEqual([
      [0, 'a', 1],
      [1, 'b', 2],
      [2, 'c', 1],
    ]);
    expect(report.classes[1]).toMatchObject({ precision: 1, recall: 0.5 });
    expect(report.accuracy).toBe(0.75);
    expect(report.macroAvg.support).toBe(4);
    expect(report.weightedAvg.recall).toBe(0.75);
  });
});

describe('Python number formatting', () => {
  it.each([
    [0.125, 2, '0.12'],
    [0.375, 2, '0.38'],
    [0.625, 2, '0.62'],
    [2.5, 0, '2'],
    [3.5, 0, '4'],
    [0.1 + 0.2, 2, '0.30'],
    [1, 4, '1.0000'],
    [0, 2, '0.00'],
    [1 / 3, 5, '0.33333'],
    [1234.5678, 1, '1234.6'],
    [-0.005, 2, '-0.01'],
    [1e-300, 2, '0.00'],
  ])('formats %s with %s digits as %s', (x, digits, expected) => {
    expect(formatFixed(x, digits)).toBe(expected);
  });
});

describe('bad input', () => {
  function errorOf(fn: () => unknown): MetricsInputError {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(MetricsInputError);
      return e as MetricsInputError;
    }
    throw new Error('expected a MetricsInputError');
  }

  it('rejects length mismatch, empty input, NaN, mixed label kinds', () => {
    expect(errorOf(() => accuracyScore([1, 2], [1])).field).toBe('yPred');
    expect(errorOf(() => accuracyScore([], [])).field).toBe('yTrue');
    const nan = errorOf(() => confusionMatrix([1, Number.NaN], [1, 1]));
    expect([nan.field, nan.index]).toEqual(['yTrue', 1]);
    expect(errorOf(() => accuracyScore([1, 'a'], [1, 1])).index).toBe(1);
    expect(errorOf(() => accuracyScore([1, 2], ['1', '2'])).field).toBe('yPred');
    expect(errorOf(() => accuracyScore([1, null as unknown as Label], [1, 1])).index).toBe(1);
  });

  it('rejects bad labels, target names and digits', () => {
    expect(errorOf(() => confusionMatrix([1, 2], [1, 2], { labels: [] })).field).toBe('labels');
    expect(errorOf(() => confusionMatrix([1, 2], [1, 2], { labels: [1, 1] })).field).toBe('labels');
    expect(errorOf(() => confusionMatrix([1, 2], [1, 2], { labels: [5] })).expected).toMatch(/yTrue/);
    expect(errorOf(() => classificationReport([1, 2], [1, 2], { targetNames: ['x'] })).field).toBe('targetNames');
    expect(errorOf(() => classificationReport([1, 2], [1, 2], { digits: -1 })).field).toBe('digits');
    expect(errorOf(() => precisionRecallFscoreSupport([1, 2], [1, 2], { beta: -1 })).field).toBe('beta');
  });

  it('ignores samples outside the given labels in the confusion matrix', () => {
    expect(confusionMatrix([0, 1, 2, 2], [0, 2, 2, 1], { labels: [2, 0] })).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });
});
