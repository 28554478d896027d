import torch
import torch.nn as nn
import torch.optim as optim

model = nn.Sequential(
    nn.Linear(784, 128),
    nn.ReLU(),
    nn.Linear(128, 10),
    nn.Softmax(dim=1),
)
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(10):
    for images, labels in train_loader:
        optimizer.zero_grad()
        output = model(images.view(images.shape[0], -1))
        loss = criterion(output, labels)
        loss.backward()
        optimizer.step()
