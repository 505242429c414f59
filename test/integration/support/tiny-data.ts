import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

/**
 * A few raw rows in the layout of rawdata/ (monthly gzip CSV in Hive folders, and airports), so
 * local Spark runs in the integration suite take seconds instead of minutes. One row of each
 * month is a duplicate, which the job must reject.
 */
export function writeTinyRawData(dir: string): { rows: number } {
  const airports = [
    'iata,name,city,state,country,latitude,longitude',
    'ORD,Chicago Ohare International,Chicago,IL,USA,41.979595,-87.904464',
    'LAX,Los Angeles International,Los Angeles,CA,USA,33.942536,-118.408075',
    'JFK,John F Kennedy Intl,New York,NY,USA,40.639751,-73.778926',
  ].join('\n');
  mkdirSync(path.join(dir, 'airports'), { recursive: true });
  writeFileSync(path.join(dir, 'airports', 'airports.csv'), `${airports}\n`);

  let rows = 0;
  for (const month of ['01', '04']) {
    const lines = ['date,delay,distance,origin,destination'];
    for (let day = 1; day <= 5; day += 1) {
      lines.push(`2001-${month}-0${day} 0${day}:15:00,${day * 7 - 10},1745,ORD,LAX`);
      lines.push(`2001-${month}-0${day} 1${day}:30:00,${day * 3},2475,JFK,LAX`);
    }
    lines.push(lines[1]!);
    rows += lines.length - 1;
    const folder = path.join(dir, 'flights', 'year=2001', `month=${month}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `flights-2001-${month}.csv.gz`), gzipSync(`${lines.join('\n')}\n`));
  }
  return { rows };
}
