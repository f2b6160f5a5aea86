export { CsvError, type CsvErrorCode, type CsvErrorLocation } from './csv/error.js';
export { formatCsv, formatPythonFloat, writeCsv, type ColumnDtype, type CsvTable, type CsvValue } from './csv/format.js';
export {
  parseCsv,
  readCsv,
  resolveReadCsvOptions,
  toXy,
  type NumericTable,
  type ReadCsvOptions,
  type ResolvedReadCsvOptions,
  type StringTable,
  type XyData,
} from './csv/parse.js';
