import { reduceErrors } from 'c/ldsUtils';

describe('c-lds-utils reduceErrors', () => {
  it('reads the message of an Apex AuraHandledException', () => {
    expect(reduceErrors({ body: { message: 'Order not found' }, status: 500 })).toEqual([
      'Order not found',
    ]);
  });

  it('reads every message of a UI API read error', () => {
    const error = { body: [{ message: 'No access' }, { message: 'Record deleted' }] };
    expect(reduceErrors(error)).toEqual(['No access', 'Record deleted']);
  });

  it('reads page and field errors of a UI API DML error', () => {
    const error = {
      body: {
        message: 'An error occurred while trying to update the record.',
        output: {
          errors: [{ message: 'Record is locked' }],
          fieldErrors: {
            Status: [{ message: 'Status is required' }],
            Priority: [{ message: 'Priority is invalid' }],
          },
        },
      },
    };
    expect(reduceErrors(error)).toEqual([
      'Record is locked',
      'Status is required',
      'Priority is invalid',
    ]);
  });

  it('reads page errors of an Apex DmlException', () => {
    const error = { body: { pageErrors: [{ message: 'Validation failed' }], fieldErrors: {} } };
    expect(reduceErrors(error)).toEqual(['Validation failed']);
  });

  it('falls back to body.message when a DML error has no entries', () => {
    const error = { body: { message: 'Update failed', output: { errors: [], fieldErrors: {} } } };
    expect(reduceErrors(error)).toEqual(['Update failed']);
  });

  it('reads JavaScript errors', () => {
    expect(reduceErrors(new TypeError('x is undefined'))).toEqual(['x is undefined']);
  });

  it('reads plain strings', () => {
    expect(reduceErrors('Something broke')).toEqual(['Something broke']);
  });

  it('falls back to the HTTP status text', () => {
    expect(reduceErrors({ status: 503, statusText: 'Service Unavailable' })).toEqual([
      'Service Unavailable',
    ]);
  });

  it('flattens a list of errors, dropping empty entries and repeats', () => {
    const errors = [
      null,
      { body: { message: 'Timed out' } },
      undefined,
      { message: 'Timed out' },
      { body: { message: '' } },
      { statusText: '' },
    ];
    expect(reduceErrors(errors)).toEqual(['Timed out']);
  });

  it('returns an empty list for nothing', () => {
    expect(reduceErrors(undefined)).toEqual([]);
    expect(reduceErrors([])).toEqual([]);
  });
});
