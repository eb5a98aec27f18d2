"""The demo city 晋城市（演示）: real geography and stations, synthetic (labelled 演示数据) sources and history."""
