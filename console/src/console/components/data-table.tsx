import type { ReactNode } from 'react';

/** One column of a `DataTable`: its header (also the column's key) and what each row shows in it. */
export interface Column<Row> {
  header: string;
  cell: (row: Row) => ReactNode;
}

export interface DataTableProps<Row> {
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  /** A row's stable identity, so a row updated live keeps its DOM node (and focus) instead of being replaced. */
  rowKey: (row: Row) => string;
  /** `data-*` attributes for a row's `<tr>`, by which tests and scripts find a row. Default: none. */
  rowData?: (row: Row) => Record<`data-${string}`, string>;
  /** Shown instead of the table when there is no row. Default: the table with its headers and no row. */
  empty?: ReactNode;
}

/** A table with one header row of column headers (`scope="col"`, so screen readers announce them per cell). */
export function DataTable<Row>({ columns, rows, rowKey, rowData, empty }: DataTableProps<Row>) {
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>;
  return (
    <table>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.header} scope="col">
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} {...rowData?.(row)}>
            {columns.map((column) => (
              <td key={column.header}>{column.cell(row)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
