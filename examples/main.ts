import { of } from 'rxjs';
import { keyBy, map, values } from '../lib/index';

of({ user: 'ann' }, { user: 'bob' }).pipe(keyBy((c) => c.user), map((c) => c.user), values()).subscribe((u) => console.log(u));
