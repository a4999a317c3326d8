// ECharts as the cockpit uses it: only the charts and components it draws (tree-shaken), on a
// canvas. Imported by the cockpit's components alone, so it lands in the cockpit's lazy chunk
// and never in the login or intake pages' bundles (vite.config.ts keeps it out of `vendor`).
import { BarChart, EffectScatterChart, LineChart, MapChart } from 'echarts/charts'
import { GeoComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { init, registerMap, use, type ECharts } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

use([MapChart, BarChart, LineChart, EffectScatterChart, GeoComponent, GridComponent, LegendComponent,
  TooltipComponent, CanvasRenderer])

export { init, registerMap, type ECharts }
